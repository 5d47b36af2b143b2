import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLogger, createPool, loadConfig, type Pool, READER_ROLE, runMigrations, setReaderPassword } from '@logflow/core';
import pg from 'pg';
import { TEST_READER_PASSWORD } from './reader-password.ts';

/**
 * Engines come from `npm test` (stack up or the given URLs); here the schema, the web build and
 * the reader's test password. The reader role is shared by every installation of the cluster:
 * its login and password are put back as they were when the run ends.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const config = loadConfig();
  const pool = createPool(config, createLogger({ logLevel: 'warn' }, 'test'), { name: 'logflow-test-setup', max: 1 });
  let restore: (() => Promise<void>) | undefined;
  try {
    await runMigrations(pool, config.postgres.schema);
    restore = await readerRestorer(pool, config);
    await setReaderPassword(pool, TEST_READER_PASSWORD);
  } finally {
    await pool.end();
  }
  if (webBuildIsStale()) execFileSync('npm', ['run', 'build', '-w', 'web'], { stdio: 'inherit' });
  return async () => restore?.();
}

/** How to put logflow_reader's login back as it is now; reading its password hash needs a superuser (the dev stack's login is one). */
async function readerRestorer(pool: Pool, config: ReturnType<typeof loadConfig>): Promise<(() => Promise<void>) | undefined> {
  const state = await pool
    .query<{ login: boolean; password: string | null }>('SELECT rolcanlogin AS login, rolpassword AS password FROM pg_authid WHERE rolname = $1', [READER_ROLE])
    .catch(() => undefined);
  const role = state?.rows[0];
  if (!role) return undefined;
  return async () => {
    const again = createPool(config, createLogger({ logLevel: 'warn' }, 'test'), { name: 'logflow-test-teardown', max: 1 });
    try {
      await again.query(`ALTER ROLE ${READER_ROLE} ${role.login ? 'LOGIN' : 'NOLOGIN'} PASSWORD ${role.password === null ? 'NULL' : pg.escapeLiteral(role.password)}`);
    } finally {
      await again.end();
    }
  };
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
