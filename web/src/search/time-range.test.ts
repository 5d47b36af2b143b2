import { describe, expect, it } from 'vitest';
import { apiTimeParams, resolveRange, zoomOut, zoomToBars } from './time-range.ts';

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
});
