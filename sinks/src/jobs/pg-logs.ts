import type { Pool } from '@logflow/core';
import type { LogFilter } from './log-filter.ts';
import type { PgReceipts } from './leaf-diff.ts';
import type { TimeRange } from './time-ranges.ts';

/** The columns a document is made of; timestamps as epoch milliseconds, metadata as its JSON text. */
const DOCUMENT_COLUMNS = `id::text AS id, (extract(epoch FROM received_at) * 1000)::bigint AS received_ms,
  (extract(epoch FROM "timestamp") * 1000)::bigint AS timestamp_ms, level, message, resource_id, trace_id, span_id,
  "commit", metadata::text AS metadata`;

interface DocumentColumns {
  id: string;
  received_ms: string;
  timestamp_ms: string;
  level: string;
  message: string;
  resource_id: string | null;
  trace_id: string | null;
  span_id: string | null;
  commit: string | null;
  metadata: string;
}

export interface DocRow {
  id: string;
  receivedAt: string;
  json: string;
}

/**
 * A row as the JSON document the ES sink indexes: the record's fields in the record's order,
 * optional ones left out rather than null (as JSON.stringify leaves out undefined). Written
 * as text around metadata's own JSON text: building it in Postgres with jsonb functions
 * made reading ten times slower.
 */
export function toDocument(row: DocumentColumns): DocRow {
  const receivedAt = new Date(Number(row.received_ms)).toISOString();
  let json = `{"id":"${row.id}","receivedAt":"${receivedAt}","level":${JSON.stringify(row.level)},"message":${JSON.stringify(row.message)}`;
  json += `,"timestamp":"${new Date(Number(row.timestamp_ms)).toISOString()}"`;
  if (row.resource_id !== null) json += `,"resourceId":${JSON.stringify(row.resource_id)}`;
  if (row.trace_id !== null) json += `,"traceId":${JSON.stringify(row.trace_id)}`;
  if (row.span_id !== null) json += `,"spanId":${JSON.stringify(row.span_id)}`;
  if (row.commit !== null) json += `,"commit":${JSON.stringify(row.commit)}`;
  json += `,"metadata":${row.metadata}}`;
  return { id: row.id, receivedAt, json };
}

/** SQL conditions for the filter, appending their parameters to `params`. */
function filterSql(filter: LogFilter, params: unknown[]): string {
  const clauses: string[] = [];
  if (filter.resourceIds) {
    params.push(filter.resourceIds);
    clauses.push(`resource_id = ANY($${params.length}::text[])`);
  }
  if (filter.levels) {
    params.push(filter.levels);
    clauses.push(`level = ANY($${params.length}::text[])`);
  }
  if (filter.keptFrom !== undefined) {
    params.push(new Date(filter.keptFrom).toISOString());
    clauses.push(`"timestamp" >= $${params.length} AND received_at >= $${params.length}`);
  }
  return clauses.map((c) => ` AND ${c}`).join('');
}

const isoOf = (ms: number) => new Date(ms).toISOString();

/** One count per range, each an index range scan on received_at. */
export async function pgCountByRanges(pool: Pool, ranges: readonly TimeRange[], filter: LogFilter): Promise<number[]> {
  if (ranges.length === 0) return [];
  const params: unknown[] = [ranges.map((r) => isoOf(r.from)), ranges.map((r) => isoOf(r.to))];
  const where = filterSql(filter, params);
  const result = await pool.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM logs WHERE received_at >= r.f AND received_at < r.t${where}) AS n
     FROM unnest($1::timestamptz[], $2::timestamptz[]) WITH ORDINALITY AS r(f, t, i) ORDER BY r.i`,
    params,
  );
  return result.rows.map((row) => Number(row.n));
}

/** id → receivedAt (ms) of the logs in one range. */
export async function receiptsInRange(pool: Pool, range: TimeRange, filter: LogFilter): Promise<PgReceipts> {
  const params: unknown[] = [isoOf(range.from), isoOf(range.to)];
  const where = filterSql(filter, params);
  const result = await pool.query<{ id: string; ms: string }>(
    `SELECT id::text AS id, (extract(epoch FROM received_at) * 1000)::bigint AS ms
     FROM logs WHERE received_at >= $1 AND received_at < $2${where}`,
    params,
  );
  return new Map(result.rows.map((row) => [row.id, Number(row.ms)]));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** id → receivedAt (ms) wherever in time the logs were received; ids that are not UUIDs cannot be in Postgres. */
export async function receiptsById(pool: Pool, ids: readonly string[]): Promise<PgReceipts> {
  const wanted = ids.filter((id) => UUID.test(id));
  if (wanted.length === 0) return new Map();
  const result = await pool.query<{ id: string; ms: string }>(
    `SELECT DISTINCT ON (id) id::text AS id, (extract(epoch FROM received_at) * 1000)::bigint AS ms
     FROM logs WHERE id = ANY($1::uuid[]) ORDER BY id, received_at`,
    [wanted],
  );
  return new Map(result.rows.map((row) => [row.id, Number(row.ms)]));
}

/**
 * The documents of these ids; a range, when known, lets Postgres use the received_at index.
 * An id reused with another timestamp is two rows; Elasticsearch holds one copy per index, the first received.
 */
export async function docsByIds(pool: Pool, ids: readonly string[], range?: TimeRange): Promise<DocRow[]> {
  if (ids.length === 0) return [];
  const params: unknown[] = [ids];
  let where = 'id = ANY($1::uuid[])';
  if (range) {
    params.push(isoOf(range.from), isoOf(range.to));
    where += ' AND received_at >= $2 AND received_at < $3';
  }
  const result = await pool.query<DocumentColumns>(`SELECT DISTINCT ON (id) ${DOCUMENT_COLUMNS} FROM logs WHERE ${where} ORDER BY id, received_at`, params);
  return result.rows.map(toDocument);
}

/** How many logs a range holds: the total a replay reports its progress against. */
export async function countInRange(pool: Pool, range: TimeRange, filter: LogFilter): Promise<number> {
  return (await pgCountByRanges(pool, [range], filter))[0] ?? 0;
}

/**
 * The documents of a range in pages, in (received_at, id) order: each page resumes after the
 * last row of the one before, so a page costs the same at the start and the end of a large range.
 */
export async function* docsInRange(pool: Pool, range: TimeRange, filter: LogFilter, pageSize: number): AsyncGenerator<DocRow[]> {
  let after: { receivedAt: string; id: string } | undefined;
  for (;;) {
    const params: unknown[] = [isoOf(range.from), isoOf(range.to), pageSize];
    let where = 'received_at >= $1 AND received_at < $2';
    if (after) {
      params.push(after.receivedAt, after.id);
      where += ` AND (received_at, id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`;
    }
    where += filterSql(filter, params);
    const result = await pool.query<DocumentColumns>(`SELECT ${DOCUMENT_COLUMNS} FROM logs WHERE ${where} ORDER BY received_at, id LIMIT $3`, params);
    const page = result.rows.map(toDocument);
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    const last = page.at(-1)!;
    after = { receivedAt: last.receivedAt, id: last.id };
  }
}

/** The receivedAt (ms) of the oldest log the filter admits: where a reconcile of "everything" starts. */
export async function oldestReceipt(pool: Pool, filter: LogFilter): Promise<number | undefined> {
  const params: unknown[] = [];
  const where = filterSql(filter, params);
  const result = await pool.query<{ ms: string | null }>(`SELECT (extract(epoch FROM min(received_at)) * 1000)::bigint AS ms FROM logs WHERE true${where}`, params);
  const ms = result.rows[0]?.ms;
  return ms === null || ms === undefined ? undefined : Number(ms);
}
