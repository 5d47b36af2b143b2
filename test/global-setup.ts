import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadConfig } from '@logflow/core/config';
import { createPool, runMigrations } from '@logflow/core/postgres';

/** Engines come from `npm test` (stack up or the given URLs); here the schema and the web build. */
export default async function setup(): Promise<void> {
  const config = loadConfig();
  const pool = createPool(config, 'logflow-test-setup', 1);
  try {
    await runMigrations(pool, config.postgres.schema);
  } finally {
    await pool.end();
  }
  if (!existsSync(new URL('../web/dist/index.html', import.meta.url))) {
    execFileSync('npm', ['run', 'build', '-w', 'web'], { stdio: 'inherit' });
  }
}
