import { describe, expect, it } from 'vitest';
import { apiTimeParams, describeRange, parseTypedRange, refreshMs, resolveRange, shiftRange, zoomOut, zoomToBars } from './time-range.ts';

describe('time ranges', () => {
  it('leaves relative presets for the server to resolve and sends absolute ones as ISO', () => {
    expect(apiTimeParams({ kind: 'relative', preset: '15m' })).toEqual({ from: 'now-15m' });
    expect(apiTimeParams({ kind: 'relative', preset: 'all' })).toEqual({});
    expect(apiTimeParams({ kind: 'absolute', from: 0, to: 1000 })).toEqual({ from: '1970-01-01T00:00:00.000Z', to: '1970-01-01T00:00:01.000Z' });
  });

  it('resolves a preset against now', () => {
    expect(resolveRange({ kind: 'relative', preset: '1h' }, 10 * 3_600_000)).toEqual({ from: 9 * 3_600_000, to: 10 * 3_600_000 });
    expect(resolveRange({ kind: 'relative', preset: 'all' }, 5)).toEqual({});
  });

  it('zooms to the bars dragged across, in either direction, to the end of the last one', () => {
    const starts = [0, 100, 200, 300];
    expect(zoomToBars(starts, 100, 1, 2)).toEqual({ kind: 'absolute', from: 100, to: 300 });
    expect(zoomToBars(starts, 100, 3, 1)).toEqual({ kind: 'absolute', from: 100, to: 400 });
    expect(zoomToBars(starts, 100, -2, 9)).toEqual({ kind: 'absolute', from: 0, to: 400 });
    expect(zoomToBars([], 100, 0, 1)).toBeUndefined();
  });

  it('zooms out to twice the span without passing now', () => {
    expect(zoomOut({ kind: 'absolute', from: 1000, to: 2000 }, 10_000)).toEqual({ kind: 'absolute', from: 500, to: 2500 });
    expect(zoomOut({ kind: 'absolute', from: 8000, to: 10_000 }, 10_000)).toEqual({ kind: 'absolute', from: 6000, to: 10_000 });
    expect(zoomOut({ kind: 'relative', preset: 'all' }, 10_000)).toEqual({ kind: 'relative', preset: 'all' });
  });

  it('takes typed relative ranges and refuses what is not one', () => {
    const now = Date.UTC(2026, 10, 28, 14, 30);
    const range = parseTypedRange('now-3h', '', now);
    expect(range).toEqual({ kind: 'expression', from: 'now-3h', to: 'now' });
    expect(apiTimeParams(range as never)).toEqual({ from: 'now-3h', to: 'now' });
    expect(resolveRange(range as never, now)).toEqual({ from: now - 3 * 3_600_000, to: now });
    expect(resolveRange({ kind: 'expression', from: 'now-1d/d', to: 'now/d' }, now)).toEqual({ from: Date.UTC(2026, 10, 27), to: Date.UTC(2026, 10, 28) });
    expect(parseTypedRange('3h', 'now', now)).toMatch(/from: expected a time relative to now/);
    expect(parseTypedRange('now', 'now-1h', now)).toBe('from must be earlier than to');
    expect(describeRange({ kind: 'expression', from: 'now-15m', to: 'now' })).toBe('now-15m → now');
  });

  it('shifts a range one span earlier or later, never past now', () => {
    const now = 10 * 3_600_000;
    expect(shiftRange({ kind: 'relative', preset: '1h' }, -1, now)).toEqual({ kind: 'absolute', from: 8 * 3_600_000, to: 9 * 3_600_000 });
    expect(shiftRange({ kind: 'absolute', from: 1000, to: 2000 }, 1, now)).toEqual({ kind: 'absolute', from: 2000, to: 3000 });
    expect(shiftRange({ kind: 'absolute', from: now - 1500, to: now - 500 }, 1, now)).toEqual({ kind: 'absolute', from: now - 1000, to: now });
    expect(shiftRange({ kind: 'relative', preset: 'all' }, -1, now)).toEqual({ kind: 'relative', preset: 'all' });
  });

  it('describes an absolute range in the chosen zone, naming it', () => {
    expect(describeRange({ kind: 'absolute', from: Date.UTC(2023, 8, 15, 8), to: Date.UTC(2023, 8, 15, 9, 30) })).toBe('2023-09-15 08:00 → 2023-09-15 09:30 UTC');
    expect(refreshMs('30s')).toBe(30_000);
    expect(refreshMs('')).toBe(0);
  });
});
