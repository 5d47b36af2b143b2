import pg from 'pg';

/** The read-only role `POST /api/sql` runs statements as (created by the migrations). */
export const READER_ROLE = 'logflow_reader';

/**
 * Lets the reader role log in with the configured password; `logflow migrate` calls it.
 * The SQL console logs in as the reader rather than switching to it with SET ROLE: a session
 * that started as a superuser could switch back inside one statement (set_config('role', …)).
 */
export async function grantReaderLogin(pool: pg.Pool, password: string): Promise<void> {
  await pool.query(`ALTER ROLE ${READER_ROLE} LOGIN PASSWORD ${pg.escapeLiteral(password)}`);
}

/** DATABASE_URL with the reader's name and password instead of the owner's. */
export function readerConnectionString(databaseUrl: string, password: string): string {
  const url = new URL(databaseUrl);
  url.username = READER_ROLE;
  url.password = encodeURIComponent(password);
  return url.toString();
}
