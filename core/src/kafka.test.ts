import { describe, expect, it } from 'vitest';
import { LogIdGenerator } from './ids.ts';
import { uuidKeyPartitioner } from './kafka.ts';

describe('uuidKeyPartitioner', () => {
  const partitionMetadata = Array.from({ length: 6 }, (_, partitionId) => ({ partitionId, partitionErrorCode: 0, leader: 1, replicas: [1], isr: [1] }));
  const partitionOf = uuidKeyPartitioner();
  const ids = new LogIdGenerator();

  it('sends one id to one partition, every time', () => {
    const message = { key: ids.next(), value: '' };
    const first = partitionOf({ topic: 't', partitionMetadata, message });
    expect(partitionOf({ topic: 't', partitionMetadata, message })).toBe(first);
  });

  it('spreads ids evenly over the partitions', () => {
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[partitionOf({ topic: 't', partitionMetadata, message: { key: ids.next(), value: '' } })] += 1;
    for (const count of counts) expect(count).toBeGreaterThan(9_000);
  });
});
