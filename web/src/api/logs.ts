import type { SearchHit, SearchPage as ServerSearchPage } from '@logflow/common';
import type { SearchState } from '../search/search-state.ts';
import { takeFirstSearch } from '../search/first-search.ts';
import { apiFetch, readAnswer } from './http.ts';
import { filterParams, PAGE_SIZE, searchPath } from './log-params.ts';
import { queryString } from './query-string.ts';

export interface LogRecord {
  id: string;
  level: string;
  message: string;
  timestamp: string;
  receivedAt: string;
  resourceId?: string;
  traceId?: string;
  spanId?: string;
  commit?: string;
  metadata?: Record<string, unknown>;
}

export type { SearchHit };
/** The part of the server's freshness report the badge shows. */
export interface Freshness {
  esSinkLag: { messages: number | null; checkedAt: string | null; error?: string };
  missingFromElasticsearch: { status: 'counted' | 'pending' | 'skipped'; count: number | null; reason?: string };
}
export type SearchPage = ServerSearchPage & { freshness?: Freshness };

export interface Histogram {
  interval: string | null;
  intervalMs: number | null;
  from: string | null;
  to: string | null;
  total: number;
  buckets: { start: string; count: number; levels: Record<string, number> }[];
}

export interface LogContext {
  log: LogRecord;
  before: LogRecord[];
  after: LogRecord[];
}

/** `GET /api/logs/fields`: the fields of the matching logs, their counts and top values. */
export interface FieldStats {
  total: number;
  totalRelation: 'eq' | 'gte';
  fields: FieldStat[];
  truncated: boolean;
}
export interface FieldStat {
  field: string;
  type: string;
  count: number;
  values: { value: string; count: number }[];
  otherCount: number;
}

export interface TopValues {
  field: string;
  total: number;
  values: { value: string; count: number }[];
  otherCount: number;
  missingCount: number;
}

export async function searchLogs(state: SearchState, cursor?: string, signal?: AbortSignal, size = PAGE_SIZE): Promise<SearchPage> {
  const path = searchPath(state, cursor, size);
  const early = await takeFirstSearch(path);
  if (!early) return apiFetch(path, { signal });
  const page = await readAnswer<SearchPage>(early);
  // The early request could not take the view's signal: a search started since it wins.
  signal?.throwIfAborted();
  return page;
}

export function fetchHistogram(state: SearchState, signal?: AbortSignal): Promise<Histogram> {
  return apiFetch(`/api/logs/histogram${queryString(filterParams(state))}`, { signal });
}

/** A log and `before`/`after` neighbours sharing its value of `key` (resourceId by default). */
export function fetchContext(id: string, { before = 20, after = 20, key = 'resourceId' } = {}, signal?: AbortSignal): Promise<LogContext> {
  return apiFetch(`/api/logs/${encodeURIComponent(id)}/context${queryString({ before: String(before), after: String(after), key })}`, { signal });
}

export function fetchFieldStats(state: SearchState, signal?: AbortSignal): Promise<FieldStats> {
  return apiFetch(`/api/logs/fields${queryString(filterParams(state))}`, { signal });
}

/** How many logs a search matches (a lower bound past the server's cap), asking for one log only. */
export async function countLogs(state: SearchState, signal?: AbortSignal): Promise<{ value: number; relation: 'eq' | 'gte' }> {
  const page = await apiFetch<SearchPage>(searchPath(state, undefined, 1), { signal });
  return { value: page.total, relation: page.totalRelation };
}

export function fetchTopValues(state: SearchState, field: string): Promise<TopValues> {
  return apiFetch(`/api/logs/fields/${encodeURIComponent(field)}/top${queryString({ ...filterParams(state), size: 10 })}`);
}

/** CSV holds the view's columns, in its order; NDJSON every field. */
export function exportUrl(state: SearchState, format: 'ndjson' | 'csv'): string {
  return `/api/logs/export${queryString({ ...filterParams(state), sort: state.sort, format, ...(format === 'csv' && { columns: state.columns.join(',') }) })}`;
}

export function tailUrl(state: SearchState): string {
  return `/api/logs/tail${queryString(filterParams(state, false))}`;
}
