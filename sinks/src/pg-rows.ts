import type { LogRecord, PoolClient } from '@logflow/core';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';

export interface PositionedRecord {
  record: LogRecord;
  partition: number;
  offset: string;
}

export const LOG_COLUMNS = 'id, "timestamp", received_at, level, message, resource_id, trace_id, span_id, "commit", metadata, kafka_partition, kafka_offset';
const ID_COLUMNS = 'id, "timestamp"';
const STAGING = 'logs_staging';

/** One value in COPY's text format: `\N` for null; backslash, tab, newline and CR escaped. */
const COPY_SPECIAL = /[\\\t\n\r]/;
export function copyValue(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  const text = String(value);
  // Most values hold nothing to escape: testing first spares a replace per field.
  if (!COPY_SPECIAL.test(text)) return text;
  return text.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

export function toCopyLine({ record, partition, offset }: PositionedRecord): string {
  // One template, not an array mapped and joined: this runs once per log.
  return `${copyValue(record.id)}\t${copyValue(record.timestamp)}\t${copyValue(record.receivedAt)}\t${copyValue(record.level)}\t${copyValue(record.message)}\t${copyValue(
    record.resourceId,
  )}\t${copyValue(record.traceId)}\t${copyValue(record.spanId)}\t${copyValue(record.commit)}\t${copyValue(JSON.stringify(record.metadata ?? {}))}\t${partition}\t${offset}\n`;
}

/** A `log_ids` line: the id and timestamp, which need no escaping (both checked by unstorableReason). */
export function toIdCopyLine({ record }: PositionedRecord): string {
  return `${record.id}\t${record.timestamp}\n`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STORABLE_TIME = /^\d{4}-\d{2}-\d{2}T/;
/** `\u0000` in the JSON text, not preceded by an escaped backslash: Postgres text and jsonb cannot hold NUL. */
const NUL_ESCAPE = /(?:^|[^\\])(?:\\\\)*\\u0000/;

/**
 * Why Postgres could never store this record, or undefined. Checked before the batch is
 * written because one such row would fail the whole COPY, and the batch forever with it.
 */
export function unstorableReason(record: LogRecord, json: string): string | undefined {
  if (!UUID.test(record.id)) return 'id is not a UUID';
  for (const field of ['timestamp', 'receivedAt'] as const) {
    const value = record[field];
    if (!STORABLE_TIME.test(value) || Number.isNaN(Date.parse(value)) || value.startsWith('0000')) {
      return `${field} is not an ISO date-time of the years 0001-9999`;
    }
  }
  if (typeof record.level !== 'string' || typeof record.message !== 'string') return 'level or message is missing';
  if (record.metadata !== undefined && (typeof record.metadata !== 'object' || record.metadata === null || Array.isArray(record.metadata))) {
    return 'metadata is not an object';
  }
  if (json.includes('\\u0000') && NUL_ESCAPE.test(json)) return 'contains a NUL character (\\u0000), which Postgres text cannot hold';
  return undefined;
}

const prepared = new WeakSet<PoolClient>();
const UNIQUE_VIOLATION = '23505';

/**
 * Writes rows inside the caller's transaction, first write wins, returning how many were new
 * per Kafka partition. A log's identity is its id alone (docs/architecture.md, Identity): its row goes into `logs` only if the
 * id was claimed in `log_ids` just now, so neither a retry nor another log re-sent with a stored
 * id (under the same timestamp or another) changes or adds a row. The caller's offset guard
 * already drops what Kafka redelivers, so a stored id is rare: hence the fast path COPYs the
 * ids and the rows straight in; only if it meets one is it undone (to a savepoint) and the
 * batch goes through a staging table and the claim-then-insert statement.
 */
export async function insertRows(client: PoolClient, rows: PositionedRecord[]): Promise<Map<number, number>> {
  if (rows.length === 0) return new Map();
  await client.query('SAVEPOINT copy_rows');
  try {
    await copyInto(client, 'log_ids', ID_COLUMNS, rows, toIdCopyLine);
    await copyInto(client, 'logs', LOG_COLUMNS, rows, toCopyLine);
    await client.query('RELEASE SAVEPOINT copy_rows');
    const written = new Map<number, number>();
    for (const { partition } of rows) written.set(partition, (written.get(partition) ?? 0) + 1);
    return written;
  } catch (error) {
    if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
    await client.query('ROLLBACK TO SAVEPOINT copy_rows');
  }
  return insertSkippingDuplicates(client, rows);
}

/**
 * COPY into a session-local staging table (no WAL, no indexes), then one statement: the first
 * row of each id in Kafka order claims the id in `log_ids`, and only claimed rows are inserted.
 */
export async function insertSkippingDuplicates(client: PoolClient, rows: PositionedRecord[]): Promise<Map<number, number>> {
  if (!prepared.has(client)) {
    await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${STAGING} (LIKE logs INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`);
    prepared.add(client);
  }
  await copyInto(client, STAGING, LOG_COLUMNS, rows, toCopyLine);
  const result = await client.query<{ kafka_partition: number; n: string }>(
    `WITH firsts AS (SELECT DISTINCT ON (id) * FROM ${STAGING} ORDER BY id, kafka_partition, kafka_offset),
     claimed AS (INSERT INTO log_ids (${ID_COLUMNS}) SELECT ${ID_COLUMNS} FROM firsts ON CONFLICT DO NOTHING RETURNING id),
     inserted AS (INSERT INTO logs (${LOG_COLUMNS}) SELECT ${LOG_COLUMNS} FROM firsts WHERE id IN (SELECT id FROM claimed) ON CONFLICT DO NOTHING RETURNING kafka_partition)
     SELECT kafka_partition, count(*) AS n FROM inserted GROUP BY kafka_partition`,
  );
  return new Map(result.rows.map((row) => [row.kafka_partition, Number(row.n)]));
}

async function copyInto(client: PoolClient, table: string, columns: string, rows: PositionedRecord[], line: (row: PositionedRecord) => string): Promise<void> {
  await pipeline(Readable.from(copyChunks(rows, line)), client.query(copyFrom(`COPY ${table} (${columns}) FROM STDIN`)));
}

/** COPY data in chunks of many lines: fewer, larger writes to the socket. */
function* copyChunks(rows: PositionedRecord[], line: (row: PositionedRecord) => string, linesPerChunk = 500): Generator<string> {
  for (let i = 0; i < rows.length; i += linesPerChunk) {
    let chunk = '';
    for (let j = i; j < Math.min(rows.length, i + linesPerChunk); j++) chunk += line(rows[j]!);
    yield chunk;
  }
}
