import { describe, expect, it } from 'vitest';
import { sinksPassed, watermarkFrom, type PositionSample } from './watermark.ts';

const offsets = (...values: number[]) => new Map(values.map((v, partition) => [partition, BigInt(v)]));
const sample = (observedAt: number, ...ends: number[]): PositionSample => ({
  observedAt,
  endOffsets: Object.fromEntries(ends.map((end, partition) => [String(partition), String(end)])),
});

describe('sinksPassed', () => {
  it('needs both sinks at or past the end of every partition', () => {
    const s = sample(1_000, 10, 5);
    expect(sinksPassed(s, offsets(10, 5), offsets(12, 5))).toBe(true);
    expect(sinksPassed(s, offsets(9, 5), offsets(12, 5))).toBe(false);
    expect(sinksPassed(s, offsets(10, 5), offsets(10, 4))).toBe(false);
  });

  it('counts a partition a sink never committed as nothing held, but an empty partition as passed', () => {
    expect(sinksPassed(sample(1_000, 0, 3), offsets(), offsets())).toBe(false);
    expect(sinksPassed(sample(1_000, 0, 0), offsets(), offsets())).toBe(true);
  });
});

describe('watermarkFrom', () => {
  it('takes the newest passed sample less the settle time', () => {
    const samples = [sample(3_000, 30), sample(2_000, 20), sample(1_000, 10)];
    expect(watermarkFrom(samples, offsets(25), offsets(40), 500)).toBe(1_500);
    expect(watermarkFrom(samples, offsets(30), offsets(30), 500)).toBe(2_500);
  });

  it('has no watermark while a sink has not passed any sample: a lagging sink is never a loss', () => {
    expect(watermarkFrom([sample(3_000, 30)], offsets(0), offsets(30), 500)).toBeUndefined();
  });
});
