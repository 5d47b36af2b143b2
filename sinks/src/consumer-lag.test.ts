import { describe, expect, it } from 'vitest';
import { partitionLags } from './consumer-lag.ts';

describe('partitionLags', () => {
  const watermarks = [
    { partition: 0, low: '0', high: '100' },
    { partition: 1, low: '40', high: '50' },
    { partition: 2, low: '0', high: '7' },
  ];

  it('is the high watermark minus the committed offset, for owned partitions only', () => {
    const lags = partitionLags(
      watermarks,
      [
        { partition: 0, offset: '90' },
        { partition: 2, offset: '7' },
      ],
      new Set([0, 2]),
    );
    expect(lags).toEqual([
      { partition: 0, lag: 10 },
      { partition: 2, lag: 0 },
    ]);
  });

  it('counts a never committed partition from its low watermark', () => {
    expect(partitionLags(watermarks, [{ partition: 1, offset: '-1' }], new Set([1]))).toEqual([{ partition: 1, lag: 10 }]);
  });
});
