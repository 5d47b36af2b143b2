import { describe, expect, it } from 'vitest';
import { newLogId } from './ids.ts';
import { uuidKeyPartitioner } from './kafka.ts';

describe('uuidKeyPartitioner', () => {
  const partitionMetadata = Array.from({ length: 6 }, (_, partitionId) => ({ partitionId, partitionErrorCode: 0, leader: 1, replicas: [1], isr: [1] }));
  const partitionOf = uuidKeyPartitioner();

  it('sends one id to one partition, every time', () => {
    const message = { key: newLogId(), value: '' };
    const first = partitionOf({ topic: 't', partitionMetadata, message });
    expect(partitionOf({ topic: 't', partitionMetadata, message })).toBe(first);
  });

  it('spreads ids evenly over the partitions', () => {
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[partitionOf({ topic: 't', partitionMetadata, message: { key: newLogId(), value: '' } })] += 1;
    for (const count of counts) expect(count).toBeGreaterThan(9_000);
  });
});
