import type { Admin } from 'kafkajs';

export interface PartitionLag {
  partition: number;
  lag: number;
}

/**
 * Lag per partition: what the partition holds beyond the group's committed offset. A
 * partition never committed (-1) lags by everything it still holds (from its low watermark).
 */
export function partitionLags(watermarks: { partition: number; high: string; low: string }[], committed: { partition: number; offset: string }[], owned: ReadonlySet<number>): PartitionLag[] {
  const committedBy = new Map(committed.map((c) => [c.partition, Number(c.offset)]));
  return watermarks
    .filter((w) => owned.has(w.partition))
    .map((w) => {
      const position = committedBy.get(w.partition) ?? -1;
      const from = position < 0 ? Number(w.low) : position;
      return { partition: w.partition, lag: Math.max(0, Number(w.high) - from) };
    })
    .sort((a, b) => a.partition - b.partition);
}

export async function fetchLags(admin: Pick<Admin, 'fetchTopicOffsets' | 'fetchOffsets'>, groupId: string, topic: string, owned: ReadonlySet<number>): Promise<PartitionLag[]> {
  if (owned.size === 0) return [];
  const [watermarks, offsets] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
  return partitionLags(watermarks, offsets.find((t) => t.topic === topic)?.partitions ?? [], owned);
}
