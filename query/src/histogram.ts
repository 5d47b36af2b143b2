import type { estypes } from '@elastic/elasticsearch';
import { z } from 'zod';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Bucket sizes a person reads easily; consecutive ones differ by at most 2.5x. */
const NICE_INTERVALS_MS = [
  1,
  2,
  5,
  10,
  20,
  50,
  100,
  200,
  500,
  SECOND,
  2 * SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  3 * DAY,
  7 * DAY,
  14 * DAY,
  30 * DAY,
  60 * DAY,
  90 * DAY,
  180 * DAY,
  365 * DAY,
];
export const MAX_BUCKETS = 100;

/** Buckets that [from, to) touches when they are aligned on multiples of the interval (as Elasticsearch aligns them). */
export function bucketCount(from: number, to: number, intervalMs: number): number {
  return Math.floor((to - 1) / intervalMs) - Math.floor(from / intervalMs) + 1;
}

/** The smallest nice interval giving at most 100 bars: about 50 to 100 for any range. */
export function chooseInterval(from: number, to: number): number {
  const nice = NICE_INTERVALS_MS.find((interval) => bucketCount(from, to, interval) <= MAX_BUCKETS);
  if (nice !== undefined) return nice;
  const years = Math.ceil((to - from) / (365 * DAY) / (MAX_BUCKETS - 1));
  return years * 365 * DAY;
}

/** `5m`, `12h`, `500ms`: Elasticsearch's fixed_interval spelling. */
export function formatInterval(ms: number): string {
  for (const [unit, size] of [
    ['d', DAY],
    ['h', HOUR],
    ['m', MINUTE],
    ['s', SECOND],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

export const histogramSchema = z.object({
  interval: z.string().nullable().describe('bucket size, e.g. 5m; null when nothing matched and no range was given'),
  intervalMs: z.number().int().nullable(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  total: z.number().int(),
  buckets: z.array(
    z.object({
      start: z.string(),
      count: z.number().int(),
      levels: z.record(z.string(), z.number().int()).describe('count per level in this bucket'),
    }),
  ),
});
export type Histogram = z.infer<typeof histogramSchema>;

export function histogramAggregation(from: number, to: number, intervalMs: number): Record<string, estypes.AggregationsAggregationContainer> {
  // The query already keeps to [from, to); extended_bounds adds the empty bars at both ends.
  // (hard_bounds is not used: it drops the logs of the last bucket when `to` is not on a bucket edge.)
  return {
    over_time: {
      date_histogram: {
        field: 'timestamp',
        fixed_interval: formatInterval(intervalMs),
        min_doc_count: 0,
        extended_bounds: { min: from, max: to - 1 },
      },
      aggs: { levels: { terms: { field: 'level', size: 10 } } },
    },
  };
}

interface BucketAggregate {
  over_time?: { buckets: { key: number; doc_count: number; levels?: { buckets: { key: string; doc_count: number }[] } }[] };
}

export function toHistogram(aggregations: unknown, from: number, to: number, intervalMs: number): Histogram {
  const buckets = (aggregations as BucketAggregate | undefined)?.over_time?.buckets ?? [];
  return {
    interval: formatInterval(intervalMs),
    intervalMs,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    total: buckets.reduce((sum, b) => sum + b.doc_count, 0),
    buckets: buckets.map((b) => ({
      start: new Date(b.key).toISOString(),
      count: b.doc_count,
      levels: Object.fromEntries((b.levels?.buckets ?? []).map((l) => [l.key, l.doc_count])),
    })),
  };
}
