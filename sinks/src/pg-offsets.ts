import type { Pool, PoolClient } from '@logflow/core/postgres';

/**
 * Locks the partition's stored position for this transaction, so two instances that both
 * believe they own a partition during a rebalance write one after the other, never twice.
 */
export async function lockNextOffset(client: PoolClient, topic: string, partition: number): Promise<bigint | undefined> {
  const result = await client.query<{ next_offset: string }>(
    'SELECT next_offset FROM sink_offsets WHERE topic = $1 AND partition = $2 FOR UPDATE',
    [topic, partition],
  );
  const row = result.rows[0];
  return row ? BigInt(row.next_offset) : undefined;
}

export async function storeNextOffset(client: PoolClient, topic: string, partition: number, nextOffset: bigint): Promise<void> {
  await client.query(
    `INSERT INTO sink_offsets (topic, partition, next_offset, updated_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (topic, partition) DO UPDATE
     SET next_offset = GREATEST(sink_offsets.next_offset, EXCLUDED.next_offset), updated_at = now()`,
    [topic, partition, nextOffset.toString()],
  );
}

export async function storedOffsets(pool: Pool, topic: string): Promise<Map<number, string>> {
  const result = await pool.query<{ partition: number; next_offset: string }>(
    'SELECT partition, next_offset FROM sink_offsets WHERE topic = $1',
    [topic],
  );
  return new Map(result.rows.map((row) => [row.partition, row.next_offset]));
}
