import type { LocationQuery, LocationQueryRaw } from 'vue-router';
import { BUILT_IN_COLUMNS, isColumn } from './columns.ts';
import type { FieldFilter } from './field-filter.ts';
import { DEFAULT_RANGE, isRelativeExpression, presetOf, REFRESH_INTERVALS, type PresetKey, type TimeRange } from './time-range.ts';

export const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export const ALL_COLUMNS = BUILT_IN_COLUMNS;
export const DEFAULT_COLUMNS = ['timestamp', 'level', 'resourceId', 'message'];

/** Everything the search view shows, so that a link reproduces the view. */
export interface SearchState {
  q: string;
  levels: string[];
  filters: FieldFilter[];
  range: TimeRange;
  sort: 'desc' | 'asc';
  columns: string[];
  /** Streaming new logs instead of paging through a range. */
  live: boolean;
  /** The log whose context is open. */
  contextOf?: string;
  /** Auto-refresh interval (a key of REFRESH_INTERVALS); '' is off. */
  refresh: string;
}

export function defaultState(): SearchState {
  return { q: '', levels: [], filters: [], range: DEFAULT_RANGE, sort: 'desc', columns: [...DEFAULT_COLUMNS], live: false, refresh: '' };
}

function first(value: LocationQuery[string] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v ?? undefined;
}

function all(value: LocationQuery[string] | undefined): string[] {
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

function list(value: LocationQuery[string] | undefined): string[] {
  return (first(value) ?? '').split(',').filter(Boolean);
}

/** `-field:value` excludes; the field ends at the first colon (field names have none). */
function parseFilter(text: string): FieldFilter | undefined {
  const exclude = text.startsWith('-');
  const body = exclude ? text.slice(1) : text;
  const colon = body.indexOf(':');
  if (colon <= 0) return undefined;
  return { field: body.slice(0, colon), value: body.slice(colon + 1), exclude };
}

function parseRange(query: LocationQuery): TimeRange {
  const [fromText, toText] = [first(query.from) ?? '', first(query.to) ?? 'now'];
  if (isRelativeExpression(fromText) && isRelativeExpression(toText)) return { kind: 'expression', from: fromText, to: toText };
  const from = Date.parse(first(query.from) ?? '');
  const to = Date.parse(first(query.to) ?? '');
  if (Number.isFinite(from) && Number.isFinite(to) && from < to) return { kind: 'absolute', from, to };
  const preset = presetOf(first(query.range) ?? '');
  return preset ? { kind: 'relative', preset: preset.key } : DEFAULT_RANGE;
}

export function stateFromQuery(query: LocationQuery): SearchState {
  const levels = list(query.level).filter((l) => (LEVELS as readonly string[]).includes(l));
  const columns = [...new Set(list(query.cols).filter(isColumn))];
  return {
    q: first(query.q) ?? '',
    levels,
    filters: all(query.f).flatMap((f) => parseFilter(f) ?? []),
    range: parseRange(query),
    sort: first(query.sort) === 'asc' ? 'asc' : 'desc',
    columns: columns.length > 0 ? columns : [...DEFAULT_COLUMNS],
    live: first(query.live) === '1',
    ...(first(query.log) && { contextOf: first(query.log) }),
    refresh: REFRESH_INTERVALS.find((r) => r.key && r.key === first(query.refresh))?.key ?? '',
  };
}

/** The URL query of a state; defaults are left out to keep links short. */
export function stateToQuery(state: SearchState): LocationQueryRaw {
  const query: LocationQueryRaw = {};
  if (state.q) query.q = state.q;
  if (state.levels.length) query.level = state.levels.join(',');
  if (state.filters.length) query.f = state.filters.map((f) => `${f.exclude ? '-' : ''}${f.field}:${f.value}`);
  if (state.range.kind === 'expression') {
    query.from = state.range.from;
    if (state.range.to !== 'now') query.to = state.range.to;
  } else if (state.range.kind === 'absolute') {
    query.from = new Date(state.range.from).toISOString();
    query.to = new Date(state.range.to).toISOString();
  } else if (state.range.preset !== (DEFAULT_RANGE as { preset: PresetKey }).preset) {
    query.range = state.range.preset;
  }
  if (state.sort === 'asc') query.sort = 'asc';
  if (state.columns.join(',') !== DEFAULT_COLUMNS.join(',')) query.cols = state.columns.join(',');
  if (state.live) query.live = '1';
  if (state.contextOf) query.log = state.contextOf;
  if (state.refresh) query.refresh = state.refresh;
  return query;
}
