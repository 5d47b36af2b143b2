import pg from 'pg';

export const READER_ROLE = 'logflow_reader';

/**
 * The migrations create `logflow_reader` without LOGIN (they cannot take a secret); this
 * gives it LOGIN and the configured password. Without one the role is left as it is.
 */
export async function setReaderPassword(pool: pg.Pool, password: string): Promise<void> {
  await pool.query(`ALTER ROLE ${READER_ROLE} LOGIN PASSWORD ${pg.escapeLiteral(password)}`);
}
