/** A half-open range of receivedAt in epoch milliseconds: from <= t < to. */
export interface TimeRange {
  from: number;
  to: number;
}

const DAY_MS = 86_400_000;

/**
 * The range cut at every UTC midnight: the first level of a reconcile, one piece per daily
 * index, so a lost index shows up as one range whose count dropped to zero.
 */
export function splitByUtcDay({ from, to }: TimeRange): TimeRange[] {
  const pieces: TimeRange[] = [];
  for (let start = from; start < to;) {
    const end = Math.min(to, (Math.floor(start / DAY_MS) + 1) * DAY_MS);
    pieces.push({ from: start, to: end });
    start = end;
  }
  return pieces;
}

/** The range in up to `parts` pieces of whole milliseconds, none empty; a 1 ms range cannot be split. */
export function splitRange({ from, to }: TimeRange, parts: number): TimeRange[] {
  const count = Math.max(1, Math.min(parts, to - from));
  const pieces: TimeRange[] = [];
  for (let i = 0; i < count; i++) {
    const start = from + Math.floor(((to - from) * i) / count);
    const end = i === count - 1 ? to : from + Math.floor(((to - from) * (i + 1)) / count);
    if (end > start) pieces.push({ from: start, to: end });
  }
  return pieces;
}

/** What to do with a range whose two counts are known. */
export type RangeVerdict = 'equal' | 'refill' | 'diff' | 'split';

/**
 * Equal counts end the descent; a range Elasticsearch lost entirely (a deleted index) is
 * refilled without comparing ids. Another differing range is split until it is small enough
 * to compare ids (`leafSize` logs on the larger side) or cannot be split any more.
 */
export function judgeRange(range: TimeRange, pgCount: number, esCount: number, leafSize: number): RangeVerdict {
  if (pgCount === esCount) return 'equal';
  if (esCount === 0) return 'refill';
  if (Math.max(pgCount, esCount) <= leafSize || range.to - range.from <= 1) return 'diff';
  return 'split';
}
