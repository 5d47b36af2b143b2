import type { Pool, PoolClient } from './postgres.ts';

/**
 * Locks the partition's stored position for this transaction, so two instances that both
 * believe they own a partition during a rebalance write one after the other, never twice.
 */
export async function lockNextOffset(client: PoolClient, topic: string, partition: number): Promise<bigint | undefined> {
  const result = await client.query<{ next_offset: string }>('SELECT next_offset FROM sink_offsets WHERE topic = $1 AND partition = $2 FOR UPDATE', [topic, partition]);
  const row = result.rows[0];
  return row ? BigInt(row.next_offset) : undefined;
}

/** Moves the partition's position on and adds the rows this transaction wrote to its count. */
export async function storeNextOffset(client: PoolClient, topic: string, partition: number, nextOffset: bigint, logsWritten: number): Promise<void> {
  await client.query(
    `INSERT INTO sink_offsets (topic, partition, next_offset, logs_written, updated_at) VALUES ($1, $2, $3, $4, now())
     ON CONFLICT (topic, partition) DO UPDATE
     SET next_offset = GREATEST(sink_offsets.next_offset, EXCLUDED.next_offset),
         logs_written = sink_offsets.logs_written + EXCLUDED.logs_written, updated_at = now()`,
    [topic, partition, nextOffset.toString(), logsWritten],
  );
}

/** Rows the PG sink has written for the topic, all partitions. */
export async function logsWritten(pool: Pool, topic: string): Promise<number> {
  const result = await pool.query<{ n: string }>('SELECT coalesce(sum(logs_written), 0) AS n FROM sink_offsets WHERE topic = $1', [topic]);
  return Number(result.rows[0]!.n);
}

export async function storedOffsets(pool: Pool, topic: string): Promise<Map<number, string>> {
  const result = await pool.query<{ partition: number; next_offset: string }>('SELECT partition, next_offset FROM sink_offsets WHERE topic = $1', [topic]);
  return new Map(result.rows.map((row) => [row.partition, row.next_offset]));
}
