import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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
  if (webBuildIsStale()) execFileSync('npm', ['run', 'build', '-w', 'web'], { stdio: 'inherit' });
}

const WEB = fileURLToPath(new URL('../web/', import.meta.url));

/** A build older than any source file would test yesterday's dashboard. */
function webBuildIsStale(): boolean {
  let built: number;
  try {
    built = statSync(`${WEB}dist/index.html`).mtimeMs;
  } catch {
    return true;
  }
  const sources = readdirSync(`${WEB}src`, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => `${entry.parentPath}/${entry.name}`);
  const config = [`${WEB}index.html`, `${WEB}package.json`, `${WEB}vite.config.ts`, `${WEB}vite-plugins.ts`];
  return [...sources, ...config].some((file) => statSync(file).mtimeMs > built);
}
