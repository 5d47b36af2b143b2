import { describe, expect, it } from 'vitest';
import type { PipelineStatus } from '../api/admin.ts';
import { ingestRate, offsetSample } from './ingest-rate.ts';

describe('ingest rate', () => {
  it('counts the topic once and divides by the time between samples', () => {
    const status = {
      consumerLag: [
        { group: 'es', partition: 0, committed: 0, end: 100, lag: 100 },
        { group: 'es', partition: 1, committed: 0, end: 50, lag: 50 },
        { group: 'pg', partition: 0, committed: 100, end: 100, lag: 0 },
        { group: 'pg', partition: 1, committed: 50, end: 50, lag: 0 },
      ],
    } as PipelineStatus;
    const sample = offsetSample(status, 2000);
    expect(sample).toEqual({ at: 2000, written: 150 });
    expect(ingestRate({ at: 0, written: 50 }, sample)).toBe(50);
    expect(ingestRate(undefined, sample)).toBeUndefined();
    expect(ingestRate({ at: 2000, written: 0 }, sample)).toBeUndefined();
  });
});
