import { describe, expect, it } from 'vitest';
import { judgeRange, splitByUtcDay, splitRange } from './time-ranges.ts';

const t = (iso: string) => Date.parse(iso);

describe('splitByUtcDay', () => {
  it('cuts at each UTC midnight and keeps the ends', () => {
    const pieces = splitByUtcDay({ from: t('2026-11-24T22:00:00Z'), to: t('2026-11-26T01:00:00Z') });
    expect(pieces).toEqual([
      { from: t('2026-11-24T22:00:00Z'), to: t('2026-11-25T00:00:00Z') },
      { from: t('2026-11-25T00:00:00Z'), to: t('2026-11-26T00:00:00Z') },
      { from: t('2026-11-26T00:00:00Z'), to: t('2026-11-26T01:00:00Z') },
    ]);
  });

  it('gives nothing for an empty range', () => {
    expect(splitByUtcDay({ from: 5, to: 5 })).toEqual([]);
  });
});

describe('splitRange', () => {
  it('covers the range exactly with contiguous pieces', () => {
    const pieces = splitRange({ from: 1000, to: 1017 }, 4);
    expect(pieces).toHaveLength(4);
    expect(pieces[0]!.from).toBe(1000);
    expect(pieces.at(-1)!.to).toBe(1017);
    for (let i = 1; i < pieces.length; i++) expect(pieces[i]!.from).toBe(pieces[i - 1]!.to);
  });

  it('never makes empty pieces of a range narrower than the fan-out', () => {
    expect(splitRange({ from: 0, to: 3 }, 16)).toEqual([
      { from: 0, to: 1 },
      { from: 1, to: 2 },
      { from: 2, to: 3 },
    ]);
    expect(splitRange({ from: 7, to: 8 }, 16)).toEqual([{ from: 7, to: 8 }]);
  });
});

describe('judgeRange', () => {
  const range = { from: 0, to: 60_000 };

  it('stops at equal counts, whatever the size', () => {
    expect(judgeRange(range, 1_000_000, 1_000_000, 5_000)).toBe('equal');
  });

  it('splits a large differing range and diffs a small one', () => {
    expect(judgeRange(range, 50_000, 49_500, 5_000)).toBe('split');
    expect(judgeRange(range, 5_000, 4_990, 5_000)).toBe('diff');
    expect(judgeRange(range, 0, 7, 5_000)).toBe('diff');
  });

  it('refills a range Elasticsearch lost entirely, however large, without comparing ids', () => {
    expect(judgeRange(range, 80_000, 0, 5_000)).toBe('refill');
  });

  it('diffs a 1 ms range however many logs it holds: it cannot be split', () => {
    expect(judgeRange({ from: 5, to: 6 }, 20_000, 19_000, 5_000)).toBe('diff');
  });
});
