import { describe, expect, it } from 'vitest';
import { partitionName, utcDays } from './partitions.ts';

describe('daily partitions', () => {
  it('starts at UTC midnight and steps a day at a time across a month end', () => {
    const days = utcDays(new Date('2026-11-30T23:30:00-02:00'), 3);
    expect(days.map((d) => d.toISOString())).toEqual(['2026-12-01T00:00:00.000Z', '2026-12-02T00:00:00.000Z', '2026-12-03T00:00:00.000Z']);
  });

  it('names a partition by its UTC day', () => {
    expect(partitionName(new Date('2026-12-01T00:00:00Z'))).toBe('logs_p20261201');
  });
});
