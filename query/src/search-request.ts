import type { SearchPage } from '@logflow/common';
import type { estypes } from '@elastic/elasticsearch';
import { AppError, type LogRecord } from '@logflow/core';
import { z } from 'zod';
import { logFilterFields, timeRangeFields } from './log-filters.ts';

/** Totals are counted exactly up to here, then reported as "at least". */
export const TOTAL_HITS_CAP = 10_000;
export const MAX_PAGE_SIZE = 1000;

export const sortOrderSchema = z.enum(['desc', 'asc']).default('desc').describe('by timestamp (then id): desc = newest first');
export type SortOrder = z.infer<typeof sortOrderSchema>;

const booleanParam = z.union([z.boolean(), z.enum(['true', 'false']).transform((s) => s === 'true')]);

export const searchParamsSchema = z.object({
  ...logFilterFields,
  ...timeRangeFields,
  sort: sortOrderSchema,
  size: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(100).describe(`page size, 1 to ${MAX_PAGE_SIZE}`),
  cursor: z.string().max(2048).optional().describe('nextCursor of the previous page, with the same filters and sort'),
  highlight: booleanParam.default(true).describe('add message fragments with the matches in <mark>, HTML-escaped'),
  exactTotal: booleanParam.default(false).describe(`count every match instead of stopping at ${TOTAL_HITS_CAP} (slower on large results)`),
});
export type SearchParams = z.infer<typeof searchParamsSchema>;

/**
 * Where a page ended: the sort values of its last hit, the order they belong to, and how much
 * time the page spanned (a hint for how far the next page reaches).
 */
export interface CursorPosition {
  order: SortOrder;
  after: [number, string];
  spanMs: number;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.order, ...position.after, position.spanMs])).toString('base64url');
}

export function decodeCursor(cursor: string, order: SortOrder): CursorPosition {
  const invalid = (message: string) => new AppError(400, 'invalid_request', `cursor: ${message}`, [{ field: 'cursor', rule: 'invalid', message }]);
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('not a cursor this API returned');
  }
  const parsed = z.tuple([z.enum(['desc', 'asc']), z.number().int(), z.string(), z.number().int().min(0)]).safeParse(decoded);
  if (!parsed.success) throw invalid('not a cursor this API returned');
  const [cursorOrder, timestamp, id, spanMs] = parsed.data;
  if (cursorOrder !== order) throw invalid(`it belongs to sort=${cursorOrder}`);
  return { order, after: [timestamp, id], spanMs };
}

/** Newest (or oldest) first; the id breaks ties so search_after never skips or repeats a log. */
export function timeSort(order: SortOrder): estypes.SortCombinations[] {
  return [{ timestamp: { order } }, { id: { order } }];
}

/** A search over the installation's read alias that answers empty, not 404, before the first log is indexed. */
export function aliasTarget(readAlias: string) {
  return { index: readAlias, ignore_unavailable: true, allow_no_indices: true } as const;
}

/** Whether any clause looks at the message: only then is there something to highlight. */
function searchesMessage(query: unknown): boolean {
  if (Array.isArray(query)) return query.some(searchesMessage);
  if (query === null || typeof query !== 'object') return false;
  return Object.entries(query).some(([key, value]) => key === 'message' || key === 'message.keyword' || searchesMessage(value));
}

const HIGHLIGHT: estypes.SearchHighlight = {
  fields: { message: { number_of_fragments: 3, fragment_size: 300 } },
  pre_tags: ['<mark>'],
  post_tags: ['</mark>'],
  encoder: 'html',
};
/** A page after a cursor first looks this many times as far as the previous page spanned (1 s at least). */
const WINDOW_SPANS = 4;
const MIN_WINDOW_MS = 1_000;

/** The Elasticsearch requests one search answer takes. */
export interface SearchPlan {
  page: estypes.SearchRequest;
  /** The page without the time window, for when the window held less than a page. */
  unwindowed?: estypes.SearchRequest;
  /** On a page after a cursor the total is counted apart: the window would bound it. */
  total?: estypes.SearchRequest;
}

/**
 * search_after alone makes a deep page cost as much as all the logs before it (Elasticsearch
 * walks them to find where the page starts). So a page after a cursor is first looked for in
 * a time window next to the cursor, sized from the span of the page before; only when the
 * window holds less than a page is it asked for again without one.
 */
export function planSearch(readAlias: string, params: SearchParams, query: estypes.QueryDslQueryContainer): SearchPlan {
  const common = {
    ...aliasTarget(readAlias),
    size: params.size,
    sort: timeSort(params.sort),
    ...(params.highlight && searchesMessage(query) && { highlight: HIGHLIGHT }),
  };
  const trackTotalHits = params.exactTotal || TOTAL_HITS_CAP;
  if (!params.cursor) return { page: { ...common, query, track_total_hits: trackTotalHits } };
  const { after, spanMs } = decodeCursor(params.cursor, params.sort);
  const reach = Math.max(MIN_WINDOW_MS, spanMs * WINDOW_SPANS);
  const window = params.sort === 'desc' ? { gte: after[0] - reach, lte: after[0] } : { gte: after[0], lte: after[0] + reach };
  const unwindowed = { ...common, query, search_after: after, track_total_hits: false };
  return {
    page: { ...unwindowed, query: { bool: { filter: [query, { range: { timestamp: { ...window, format: 'epoch_millis' } } }] } } },
    unwindowed,
    total: { ...aliasTarget(readAlias), size: 0, query, track_total_hits: trackTotalHits },
  };
}

export function toSearchPage(response: estypes.SearchResponse<LogRecord>, totalHits: estypes.SearchResponse['hits']['total'], params: SearchParams): SearchPage {
  const hits = response.hits.hits.flatMap((hit) => (hit._source ? [{ ...hit._source, ...(hit.highlight?.message && { highlight: hit.highlight.message }) }] : []));
  const first = response.hits.hits[0]?.sort;
  const last = response.hits.hits.at(-1)?.sort;
  const full = response.hits.hits.length === params.size;
  return {
    total: typeof totalHits === 'number' ? totalHits : (totalHits?.value ?? 0),
    totalRelation: typeof totalHits === 'object' && totalHits.relation === 'gte' ? 'gte' : 'eq',
    hits,
    nextCursor: full && first && last ? encodeCursor({ order: params.sort, after: [Number(last[0]), String(last[1])], spanMs: Math.abs(Number(last[0]) - Number(first[0])) }) : null,
    tookMs: response.took,
  };
}
