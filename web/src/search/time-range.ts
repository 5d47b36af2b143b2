/** The time range of the search view: a preset relative to now, or two absolute instants (ms). */
export type PresetKey = '15m' | '1h' | '24h' | '7d' | '30d' | 'all';
export type TimeRange = { kind: 'relative'; preset: PresetKey } | { kind: 'absolute'; from: number; to: number };

export interface Preset {
  key: PresetKey;
  label: string;
  /** The API's relative expression for `from`; none for all time. */
  from?: string;
  spanMs?: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const PRESETS: readonly Preset[] = [
  { key: '15m', label: 'Last 15 minutes', from: 'now-15m', spanMs: 15 * MINUTE },
  { key: '1h', label: 'Last hour', from: 'now-1h', spanMs: HOUR },
  { key: '24h', label: 'Last 24 hours', from: 'now-24h', spanMs: DAY },
  { key: '7d', label: 'Last 7 days', from: 'now-7d', spanMs: 7 * DAY },
  { key: '30d', label: 'Last 30 days', from: 'now-30d', spanMs: 30 * DAY },
  { key: 'all', label: 'All time' },
];

export const DEFAULT_RANGE: TimeRange = { kind: 'relative', preset: '1h' };

export function presetOf(key: string): Preset | undefined {
  return PRESETS.find((p) => p.key === key);
}

/** `from`/`to` as the API takes them: relative presets stay relative so the server resolves "now". */
export function apiTimeParams(range: TimeRange): { from?: string; to?: string } {
  if (range.kind === 'absolute') return { from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString() };
  const from = presetOf(range.preset)?.from;
  return from ? { from } : {};
}

/** The range as instants at `now`; undefined ends are open. */
export function resolveRange(range: TimeRange, now: number): { from?: number; to?: number } {
  if (range.kind === 'absolute') return { from: range.from, to: range.to };
  const span = presetOf(range.preset)?.spanMs;
  return span === undefined ? {} : { from: now - span, to: now };
}

/**
 * The absolute range covered by the histogram bars `first` to `last` (in either order) of a
 * histogram whose bars start at `starts` (ms) and are `intervalMs` wide.
 */
export function zoomToBars(starts: readonly number[], intervalMs: number, first: number, last: number): TimeRange | undefined {
  if (starts.length === 0) return undefined;
  const clamp = (i: number) => Math.min(starts.length - 1, Math.max(0, Math.round(i)));
  const [lo, hi] = [clamp(Math.min(first, last)), clamp(Math.max(first, last))];
  return { kind: 'absolute', from: starts[lo], to: starts[hi] + intervalMs };
}

/** Twice as wide around the same middle, never reaching past now. */
export function zoomOut(range: TimeRange, now: number): TimeRange {
  const { from, to } = resolveRange(range, now);
  if (from === undefined || to === undefined) return range;
  const span = to - from;
  const newTo = Math.min(now, to + span / 2);
  return { kind: 'absolute', from: Math.round(newTo - 2 * span), to: Math.round(newTo) };
}

export function describeRange(range: TimeRange): string {
  if (range.kind === 'relative') return presetOf(range.preset)?.label ?? range.preset;
  const format = (ms: number) =>
    new Date(ms)
      .toISOString()
      .replace('T', ' ')
      .replace(/\.000Z$|Z$/, '');
  return `${format(range.from)} → ${format(range.to)} UTC`;
}
