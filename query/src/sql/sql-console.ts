import { AppError } from '@logflow/core/errors';
import pg from 'pg';
import Cursor from 'pg-cursor';

export interface SqlLimits {
  timeoutMs: number;
  maxRows: number;
}

export interface SqlResult {
  columns: { name: string; dataTypeId: number }[];
  rows: unknown[][];
  rowCount: number;
  truncated: boolean;
  durationMs: number;
}

const BYTEA_OID = 17;
/** bytea as Postgres prints it (\x…) rather than a Buffer, which JSON would spell as a byte array. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === BYTEA_OID ? (value: string) => value : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * pg-cursor lacks the COPY handlers pg's own queries have; without them a `COPY … TO STDOUT`
 * would throw inside the connection's event handler and take the process down.
 */
class StatementCursor extends Cursor<unknown[]> {
  handleCopyInResponse(connection: { sendCopyFail(message: string): void }): void {
    connection.sendCopyFail('COPY FROM STDIN is not available in the SQL console');
  }

  handleCopyData(): void {}
}

/** COPY streams outside the rows a cursor reads; it is refused with a clear message instead. */
const COPY_STATEMENT = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*copy\b/i;

function readPage(cursor: Cursor<unknown[]>, rows: number): Promise<{ rows: unknown[][]; fields: pg.FieldDef[] }> {
  return new Promise((resolve, reject) => {
    cursor.read(rows, (error, page, result) => (error ? reject(error) : resolve({ rows: page, fields: result.fields ?? [] })));
  });
}

/**
 * Runs one statement for `POST /api/sql` on a pool logged in as the read-only role, inside a
 * READ ONLY transaction with a statement timeout. The statement goes through the extended
 * protocol (a cursor), which refuses several statements at once, and only the rows within the
 * cap are ever fetched. Whatever the statement changed in the session is discarded afterwards.
 */
export class SqlConsole {
  constructor(
    /** Undefined while LOGFLOW_READER_PASSWORD is not configured: the reader login is locked. */
    private readonly readerPool: pg.Pool | undefined,
    readonly limits: SqlLimits,
  ) {}

  /** Runs `sql`; `scopedPool` is a scoped key's login instead of the reader's. */
  async run(sql: string, limits: SqlLimits, scopedPool?: pg.Pool): Promise<SqlResult> {
    const pool = scopedPool ?? this.readerPool;
    if (!pool) {
      throw new AppError(503, 'sql_console_off', 'the SQL console is off: the read-only login logflow_reader has no password until LOGFLOW_READER_PASSWORD is configured (then run `logflow migrate`)');
    }
    if (COPY_STATEMENT.test(sql)) {
      throw new AppError(400, 'sql_error', 'COPY is not available in the SQL console: run its SELECT instead');
    }
    const started = performance.now();
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw new AppError(503, 'sql_unavailable', `cannot connect to Postgres as the read-only role: ${(error as Error).message}`, undefined, {
        'retry-after': '5',
      });
    }
    let reusable = true;
    try {
      await client.query('BEGIN READ ONLY');
      await client.query(`SET LOCAL statement_timeout = ${Math.trunc(limits.timeoutMs)}`);
      const cursor = client.query(new StatementCursor(sql, undefined, { rowMode: 'array', types }));
      const page = await readPage(cursor, limits.maxRows + 1);
      await cursor.close();
      const truncated = page.rows.length > limits.maxRows;
      const rows = truncated ? page.rows.slice(0, limits.maxRows) : page.rows;
      return {
        columns: page.fields.map((f) => ({ name: f.name, dataTypeId: f.dataTypeID })),
        rows,
        rowCount: rows.length,
        truncated,
        durationMs: Math.round(performance.now() - started),
      };
    } catch (error) {
      if (error instanceof pg.DatabaseError) {
        const details = { code: error.code, position: error.position ? Number(error.position) : undefined, hint: error.hint, detail: error.detail };
        throw new AppError(400, 'sql_error', error.message, details);
      }
      reusable = false;
      throw new AppError(503, 'sql_unavailable', `Postgres failed: ${(error as Error).message}`, undefined, { 'retry-after': '5' });
    } finally {
      await client.query('ROLLBACK').catch(() => (reusable = false));
      await client.query('DISCARD ALL').catch(() => (reusable = false));
      client.release(!reusable);
    }
  }
}
