import { describe, expect, it } from 'vitest';
import { bucketCount, chooseInterval, formatInterval, MAX_BUCKETS } from './histogram.ts';

const at = (iso: string) => Date.parse(iso);

describe('histogram interval', () => {
  it.each([
    ['15 minutes', '2026-01-10T12:00:00Z', '2026-01-10T12:15:00Z', '10s'],
    ['one hour', '2026-01-10T12:00:00Z', '2026-01-10T13:00:00Z', '1m'],
    ['one day', '2026-01-10T00:00:00Z', '2026-01-11T00:00:00Z', '15m'],
    ['one week', '2026-01-01T00:00:00Z', '2026-01-08T00:00:00Z', '2h'],
    ['one year', '2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '7d'],
    ['one second', '2026-01-10T12:00:00Z', '2026-01-10T12:00:01Z', '10ms'],
  ])('picks a readable bucket for %s', (_name, from, to, interval) => {
    expect(formatInterval(chooseInterval(at(from), at(to)))).toBe(interval);
  });

  it('gives about 50 to 100 bars over ranges from a second to decades', () => {
    const start = at('2026-01-10T12:34:56.789Z');
    for (let span = 1_000; span < 40 * 365 * 86_400_000; span = Math.ceil(span * 1.37)) {
      const count = bucketCount(start, start + span, chooseInterval(start, start + span));
      expect(count).toBeLessThanOrEqual(MAX_BUCKETS);
      expect(count).toBeGreaterThanOrEqual(38);
    }
  });

  it('spells intervals the way fixed_interval takes them', () => {
    expect([500, 1_000, 90_000, 3_600_000, 86_400_000 * 7].map(formatInterval)).toEqual(['500ms', '1s', '90s', '1h', '7d']);
  });
});
