// `npm run bench -- <scenario>`: dependencies, engines (unless given), then bench/<scenario>.ts.
import { spawnSync } from 'node:child_process';
import { engineEnvironment, ensureBuild, ensureDependencies, ROOT } from './bootstrap.mjs';

ensureDependencies();
// The roles a scenario starts (cli/logflow.mjs) run the compiled build, as production does.
ensureBuild();
const engines = await engineEnvironment();
const result = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...process.argv.slice(2)], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, ...engines },
});
process.exit(result.status ?? 1);
