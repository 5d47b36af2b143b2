import { describe, expect, it } from 'vitest';
import { restartDelay } from './run-all.ts';

describe('restartDelay', () => {
  it('doubles from the first wait with each failure in a row, up to the longest', () => {
    const policy = { initialMs: 1_000, maxMs: 30_000, stableMs: 60_000 };
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((failures) => restartDelay(failures, policy))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });
});
