import pg from 'pg';
import { withSharedChangeLock } from '../postgres.ts';

export const READER_ROLE = 'logflow_reader';

/** The password this role had by default before LOGFLOW_READER_PASSWORD became required. */
const FORMER_DEFAULT_PASSWORD = 'logflow_reader';

/**
 * The migrations create `logflow_reader` without LOGIN (they cannot take a secret); this
 * gives it LOGIN and the configured password. Without one the role is left as it is.
 */
export async function setReaderPassword(pool: pg.Pool, password: string): Promise<void> {
  await withSharedChangeLock(pool, (client) => client.query(`ALTER ROLE ${READER_ROLE} LOGIN PASSWORD ${pg.escapeLiteral(password)}`));
}

/**
 * Without a configured password: an installation from before, still logging the reader in with
 * the former default password that anyone could guess, has the login locked again (NOLOGIN, no
 * password). Any other password was chosen by someone and stays. True when it locked the login.
 */
export async function lockReaderWithFormerDefault(pool: pg.Pool, databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  url.username = READER_ROLE;
  url.password = FORMER_DEFAULT_PASSWORD;
  const probe = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 5_000 });
  try {
    await probe.connect();
  } catch {
    return false;
  } finally {
    await probe.end().catch(() => undefined);
  }
  await withSharedChangeLock(pool, (client) => client.query(`ALTER ROLE ${READER_ROLE} NOLOGIN PASSWORD NULL`));
  return true;
}
