// `npm test`: dependencies, engines (unless given), then vitest with its unit and pipeline projects.
import { spawnSync } from 'node:child_process';
import { engineEnvironment, ensureDependencies, ROOT } from './bootstrap.mjs';

ensureDependencies();
const engines = await engineEnvironment();
const result = spawnSync('npx', ['vitest', 'run', ...process.argv.slice(2)], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, ...engines },
});
process.exit(result.status ?? 1);
