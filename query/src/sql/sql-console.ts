import type { SqlResult } from '@logflow/common';
import { AppError } from '@logflow/core';
import pg from 'pg';
import Cursor from 'pg-cursor';
import { MESSAGE_TOO_LARGE } from './message-size-guard.ts';

export interface SqlLimits {
  timeoutMs: number;
  maxRows: number;
  /** A value longer than this (as text) is cut to its first this many characters. */
  maxValueBytes: number;
  /** Rows stop once the answer holds about this many bytes of values. */
  maxResponseBytes: number;
}

const BYTEA_OID = 17;
/** bytea as Postgres prints it (\x…) rather than a Buffer, which JSON would spell as a byte array. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === BYTEA_OID ? (value: string) => value : (pg.types.getTypeParser(oid, format) as (value: string) => unknown)) as typeof pg.types.getTypeParser,
};

/**
 * pg-cursor lacks the COPY handlers pg's own queries have; without them a `COPY … TO STDOUT`
 * would throw inside the connection's event handler and take the process down. It also tells
 * when Postgres has described the statement's columns, before any row is asked for.
 */
class StatementCursor extends Cursor<unknown[]> {
  /** The statement's columns once Postgres described them; rejects with its parse error. */
  readonly described = new Promise<pg.FieldDef[]>((resolve, reject) => {
    this.once('described', resolve);
    this.once('error', reject);
  });

  constructor(...args: ConstructorParameters<typeof Cursor<unknown[]>>) {
    super(...args);
    // An error is also seen by the read waiting for it; unawaited, this must not reject unhandled.
    this.described.catch(() => undefined);
  }

  handleCopyInResponse(connection: { sendCopyFail(message: string): void }): void {
    connection.sendCopyFail('COPY FROM STDIN is not available in the SQL console');
  }

  handleCopyData(): void {}

  /** Called by pg for the statement's RowDescription (not in pg-cursor's types). */
  handleRowDescription(message: { fields: pg.FieldDef[] }): void {
    (Cursor.prototype as unknown as { handleRowDescription(m: unknown): void }).handleRowDescription.call(this, message);
    this.emit('described', message.fields);
  }
}

/** COPY streams outside the rows a cursor reads; it is refused with a clear message instead. */
const COPY_STATEMENT = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*copy\b/i;
/** Statements whose rows a subquery can wrap: their values are cut inside Postgres. */
const QUERY_STATEMENT = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*(?:\(|(?:select|with|values|table)\b)/i;
const TRAILING_SEMICOLONS = /[\s;]+$/;

function readPage(cursor: Cursor<unknown[]>, rows: number): Promise<{ rows: unknown[][]; fields: pg.FieldDef[] }> {
  return new Promise((resolve, reject) => {
    cursor.read(rows, (error, page, result) => (error ? reject(error) : resolve({ rows: page, fields: result?.fields ?? [] })));
  });
}

/**
 * The statement as a subquery whose every value longer than `maxChars` (as text) comes back cut,
 * in a column of its own, instead of whole: Postgres never sends a huge value, which the driver
 * would hold whole in memory (and fail on above 512 MB, in an event handler, ending the process).
 * Safe to embed only because Postgres has parsed `sql` alone as one complete statement first:
 * its parentheses, quotes and comments are balanced, so nothing in it can reach past `q`.
 */
export function cappedQuery(sql: string, columns: number, maxChars: number): string {
  const names = Array.from({ length: columns }, (_, i) => `c${i + 1}`);
  const cut = (c: string) => `octet_length(q.${c}::text) > ${maxChars}`;
  const select = names.map((c) => `CASE WHEN ${cut(c)} THEN NULL ELSE q.${c} END, CASE WHEN ${cut(c)} THEN left(q.${c}::text, ${maxChars}) END`);
  // OFFSET 0 keeps the statement a subquery of its own: flattened, each reference to a column
  // would compute its expression again (a huge repeat() three times).
  return `SELECT ${select.join(', ')} FROM (SELECT * FROM (\n${sql.replace(TRAILING_SEMICOLONS, '')}\n) AS s OFFSET 0) AS q(${names.join(', ')})`;
}

/**
 * Reads at most maxRows rows and about maxResponseBytes of values, a page at a time, so that
 * no more than about one answer's worth is ever held; one row past the cap tells it was cut.
 * A capped statement's rows come as pairs (whole value or null, cut value or null) of `width`
 * columns, each value at most `maxChars` long; an uncapped one's values are bounded by its text
 * (EXPLAIN, SHOW), guessed at 1 KiB for the page size.
 */
async function readCapped(cursor: StatementCursor, limits: SqlLimits, capped: { width: number; maxChars: number } | undefined) {
  const rows: unknown[][] = [];
  let fields: pg.FieldDef[] = [];
  let bytes = 0;
  let valuesTruncated = 0;
  let truncatedBy: 'rows' | 'bytes' | undefined;
  const perValue = capped?.maxChars ?? 1024;
  const width = capped?.width ?? 1;
  const perPage = Math.max(1, Math.min(500, Math.floor(limits.maxResponseBytes / (width * perValue))));
  for (;;) {
    const wanted = Math.min(perPage, limits.maxRows + 1 - rows.length);
    const page = await readPage(cursor, wanted);
    if (page.fields.length > 0) fields = page.fields;
    for (const raw of page.rows) {
      if (rows.length === limits.maxRows) {
        truncatedBy = 'rows';
        break;
      }
      let row = raw;
      let cuts = 0;
      if (capped) {
        row = [];
        for (let i = 0; i < capped.width; i++) {
          const cut = raw[2 * i + 1] ?? null;
          if (cut !== null) cuts++;
          row.push(cut !== null ? cut : raw[2 * i]);
        }
      }
      bytes += row.reduce<number>((sum, value) => sum + valueBytes(value), 0);
      if (bytes > limits.maxResponseBytes && rows.length > 0) {
        truncatedBy = 'bytes';
        break;
      }
      rows.push(row);
      valuesTruncated += cuts;
    }
    // A short page is the last: the portal is done.
    if (truncatedBy || page.rows.length < wanted) break;
  }
  return { fields, rows, truncatedBy, valuesTruncated };
}

/**
 * The longest message the SQL console's connections read from Postgres (see guardedStream): a
 * capped row (each value at most maxValueBytes characters, up to 4 bytes each, or the answer's
 * bytes spread over its columns) fits; a huge error message does not.
 */
export function sqlMessageLimit(limits: Pick<SqlLimits, 'maxResponseBytes'>): number {
  return 4 * limits.maxResponseBytes + 1024 * 1024;
}

/** About what a value adds to the JSON answer. */
function valueBytes(value: unknown): number {
  if (value === null || value === undefined) return 4;
  if (typeof value === 'string') return value.length + 2;
  if (typeof value === 'number' || typeof value === 'boolean') return 8;
  if (value instanceof Date) return 26;
  return JSON.stringify(value)?.length ?? 4;
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
    // A connection that fails while checked out emits 'error' on its client (the statement is
    // rejected too): unheard, that event would end the process.
    const dropConnection = () => (reusable = false);
    client.on('error', dropConnection);
    try {
      await client.query('BEGIN READ ONLY');
      await client.query(`SET LOCAL statement_timeout = ${Math.trunc(limits.timeoutMs)}`);
      let statement = sql;
      let fields: pg.FieldDef[] | undefined;
      let maxChars = 0;
      if (QUERY_STATEMENT.test(sql)) {
        // Parsed and described alone first (nothing runs): proves it one whole statement, and gives its columns.
        const described = client.query(new StatementCursor(sql, undefined, { rowMode: 'array', types }));
        fields = await described.described;
        await described.close();
        if (fields.length > 0) {
          maxChars = Math.max(1, Math.min(limits.maxValueBytes, Math.floor(limits.maxResponseBytes / fields.length)));
          statement = cappedQuery(sql, fields.length, maxChars);
        }
      }
      const cursor = client.query(new StatementCursor(statement, undefined, { rowMode: 'array', types }));
      const read = await readCapped(cursor, limits, fields && maxChars > 0 ? { width: fields.length, maxChars } : undefined);
      await cursor.close();
      const columns = fields && maxChars > 0 ? fields : read.fields;
      return {
        columns: columns.map((f) => ({ name: f.name, dataTypeId: f.dataTypeID })),
        rows: read.rows,
        rowCount: read.rows.length,
        truncated: read.truncatedBy !== undefined,
        ...(read.truncatedBy && { truncatedBy: read.truncatedBy }),
        valuesTruncated: read.valuesTruncated,
        durationMs: Math.round(performance.now() - started),
      };
    } catch (error) {
      if (error instanceof pg.DatabaseError) {
        const details = { code: error.code, position: error.position ? Number(error.position) : undefined, hint: error.hint, detail: error.detail };
        throw new AppError(400, 'sql_error', error.message, details);
      }
      reusable = false;
      if ((error as { code?: string }).code === MESSAGE_TOO_LARGE) {
        throw new AppError(400, 'sql_error', `${(error as Error).message}: a value or error message this large is not read (the statement ended)`);
      }
      throw new AppError(503, 'sql_unavailable', `Postgres failed: ${(error as Error).message}`, undefined, { 'retry-after': '5' });
    } finally {
      await client.query('ROLLBACK').catch(() => (reusable = false));
      await client.query('DISCARD ALL').catch(() => (reusable = false));
      client.off('error', dropConnection);
      client.release(!reusable);
    }
  }
}
