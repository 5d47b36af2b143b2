import type { PoolClient } from '@logflow/core/postgres';
import type { LogRecord } from '@logflow/core/log-event';

export interface PositionedRecord {
  record: LogRecord;
  partition: number;
  offset: string;
}

/**
 * One statement for the whole batch: the rows travel as a single jsonb parameter and are
 * expanded by jsonb_to_recordset. ON CONFLICT DO NOTHING makes a client's retry of the same
 * (id, timestamp) one row.
 */
const INSERT_ROWS = `
INSERT INTO logs (id, "timestamp", received_at, level, message, resource_id, trace_id, span_id, "commit", metadata, kafka_partition, kafka_offset)
SELECT id, "timestamp", received_at, level, message, resource_id, trace_id, span_id, "commit", coalesce(metadata, '{}'::jsonb), kafka_partition, kafka_offset
FROM jsonb_to_recordset($1::jsonb) AS r(
  id uuid, "timestamp" timestamptz, received_at timestamptz, level text, message text, resource_id text,
  trace_id text, span_id text, "commit" text, metadata jsonb, kafka_partition int, kafka_offset bigint)
ON CONFLICT DO NOTHING`;

export async function insertRows(client: PoolClient, rows: PositionedRecord[]): Promise<number> {
  if (rows.length === 0) return 0;
  const payload = rows.map(({ record, partition, offset }) => ({
    id: record.id,
    timestamp: record.timestamp,
    received_at: record.receivedAt,
    level: record.level,
    message: record.message,
    resource_id: record.resourceId ?? null,
    trace_id: record.traceId ?? null,
    span_id: record.spanId ?? null,
    commit: record.commit ?? null,
    metadata: record.metadata ?? {},
    kafka_partition: partition,
    kafka_offset: offset,
  }));
  const result = await client.query(INSERT_ROWS, [JSON.stringify(payload)]);
  return result.rowCount ?? 0;
}
