import { parseTimeExpression } from '@logflow/common';
import { formatTime, zoneLabel, type TimeZoneSetting } from '../time/zone.ts';

/**
 * The time range of the search view: a preset relative to now, two relative expressions typed
 * by the user (`now-3h` to `now`, `now-1d/d` to `now/d`, as the API takes them), or two
 * absolute instants (ms).
 */
export type PresetKey = '15m' | '1h' | '24h' | '7d' | '30d' | 'all';
export type TimeRange = { kind: 'relative'; preset: PresetKey } | { kind: 'expression'; from: string; to: string } | { kind: 'absolute'; from: number; to: number };

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
  if (range.kind === 'expression') return { from: range.from, to: range.to };
  if (range.kind === 'absolute') return { from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString() };
  const from = presetOf(range.preset)?.from;
  return from ? { from } : {};
}

/** The range as instants at `now`; undefined ends are open. */
export function resolveRange(range: TimeRange, now: number): { from?: number; to?: number } {
  if (range.kind === 'absolute') return { from: range.from, to: range.to };
  if (range.kind === 'expression') return { from: parseTimeExpression(range.from, now), to: parseTimeExpression(range.to, now) };
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

/** Only relative expressions: an absolute time belongs in the date picker. */
const RELATIVE_EXPRESSION = /^now([+-]\d+(ms|[yMwdhHms]))*(\/[yMwdhHms])?$/;

/**
 * A range from what the user typed: `now-3h` (to now), or from and to both relative. Returns
 * the reason when it is not one.
 */
export function parseTypedRange(fromText: string, toText: string, now: number): TimeRange | string {
  const from = fromText.trim();
  const to = toText.trim() || 'now';
  for (const [name, text] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (!RELATIVE_EXPRESSION.test(text)) return `${name}: expected a time relative to now, such as now-3h, now-15m or now-1d/d`;
  }
  const [a, b] = [parseTimeExpression(from, now), parseTimeExpression(to, now)];
  if (a === undefined || b === undefined) return 'expected times relative to now, such as now-3h';
  if (a >= b) return 'from must be earlier than to';
  return { kind: 'expression', from, to };
}

/** Whether a URL's from/to are a typed relative range. */
export function isRelativeExpression(text: string): boolean {
  return RELATIVE_EXPRESSION.test(text);
}

/**
 * The range moved one span earlier (-1) or later (+1), as absolute instants: the view then
 * stays on those logs. Later never goes past now; all time does not move.
 */
export function shiftRange(range: TimeRange, direction: -1 | 1, now: number): TimeRange {
  const { from, to } = resolveRange(range, now);
  if (from === undefined || to === undefined) return range;
  const span = to - from;
  const newTo = direction === 1 ? Math.min(now, to + span) : to - span;
  return { kind: 'absolute', from: newTo - span, to: newTo };
}

export function describeRange(range: TimeRange, zone: TimeZoneSetting = 'utc'): string {
  if (range.kind === 'relative') return presetOf(range.preset)?.label ?? range.preset;
  if (range.kind === 'expression') return `${range.from} → ${range.to}`;
  const format = (ms: number) => formatTime(ms, zone, ms % 1000 === 0 ? 's' : 'ms').replace(/:00$/, '');
  return `${format(range.from)} → ${format(range.to)} ${zoneLabel(zone, range.from)}`;
}

/** Auto-refresh intervals of the search view, as the URL writes them. */
export const REFRESH_INTERVALS: readonly { key: string; label: string; ms: number }[] = [
  { key: '', label: 'Off', ms: 0 },
  { key: '5s', label: '5 s', ms: 5_000 },
  { key: '10s', label: '10 s', ms: 10_000 },
  { key: '30s', label: '30 s', ms: 30_000 },
  { key: '1m', label: '1 min', ms: 60_000 },
  { key: '5m', label: '5 min', ms: 300_000 },
];

export function refreshMs(key: string): number {
  return REFRESH_INTERVALS.find((r) => r.key === key)?.ms ?? 0;
}
