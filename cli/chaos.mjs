// `npm run chaos`: dependencies, engines (unless given), then the fault run of test/chaos/main.ts.
import { spawnSync } from 'node:child_process';
import { engineEnvironment, ensureDependencies, ROOT } from './bootstrap.mjs';

ensureDependencies();
const engines = await engineEnvironment();
const result = spawnSync(process.execPath, ['--import', 'tsx', 'test/chaos/main.ts', ...process.argv.slice(2)], {
  cwd: ROOT,
  stdio: 'inherit',
  // A test: the roles it starts run from the sources, whatever dist/ holds.
  env: { ...process.env, ...engines, LOGFLOW_DEV: '1' },
});
process.exit(result.status ?? 1);
