import type { estypes } from '@elastic/elasticsearch';
import { AppError } from '@logflow/core/errors';
import { READ_ALIAS } from '@logflow/core/es-index';
import type { LogRecord } from '@logflow/core/log-event';
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
});
export type SearchParams = z.infer<typeof searchParamsSchema>;

export const logRecordSchema = z.object({
  id: z.string(),
  receivedAt: z.string(),
  level: z.string(),
  message: z.string(),
  timestamp: z.string(),
  resourceId: z.string().optional(),
  traceId: z.string().optional(),
  spanId: z.string().optional(),
  commit: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

export const searchHitSchema = logRecordSchema.extend({
  highlight: z.array(z.string()).optional().describe('message fragments, HTML-escaped, matches in <mark>'),
});
export type SearchHit = z.infer<typeof searchHitSchema>;

/** Where a page ended: the sort values of its last hit, and the order they belong to. */
interface CursorPosition {
  order: SortOrder;
  after: [number, string];
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.order, ...position.after])).toString('base64url');
}

export function decodeCursor(cursor: string, order: SortOrder): [number, string] {
  const invalid = (message: string) => new AppError(400, 'invalid_request', `cursor: ${message}`, [{ field: 'cursor', rule: 'invalid', message }]);
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('not a cursor this API returned');
  }
  const parsed = z.tuple([z.enum(['desc', 'asc']), z.number().int(), z.string()]).safeParse(decoded);
  if (!parsed.success) throw invalid('not a cursor this API returned');
  if (parsed.data[0] !== order) throw invalid(`it belongs to sort=${parsed.data[0]}`);
  return [parsed.data[1], parsed.data[2]];
}

/** Newest (or oldest) first; the id breaks ties so search_after never skips or repeats a log. */
export function timeSort(order: SortOrder): estypes.SortCombinations[] {
  return [{ timestamp: { order } }, { id: { order } }];
}

/** Options that make a search over the alias answer empty, not 404, before the first log is indexed. */
export const READ_ALIAS_TARGET = { index: READ_ALIAS, ignore_unavailable: true, allow_no_indices: true } as const;

/** Whether any clause looks at the message: only then is there something to highlight. */
function searchesMessage(query: unknown): boolean {
  if (Array.isArray(query)) return query.some(searchesMessage);
  if (query === null || typeof query !== 'object') return false;
  return Object.entries(query).some(([key, value]) => key === 'message' || key === 'message.keyword' || searchesMessage(value));
}

export function buildSearchRequest(params: SearchParams, query: estypes.QueryDslQueryContainer): estypes.SearchRequest {
  const highlight: estypes.SearchHighlight = {
    fields: { message: { number_of_fragments: 3, fragment_size: 300 } },
    pre_tags: ['<mark>'],
    post_tags: ['</mark>'],
    encoder: 'html',
  };
  return {
    ...READ_ALIAS_TARGET,
    query,
    size: params.size,
    sort: timeSort(params.sort),
    track_total_hits: TOTAL_HITS_CAP,
    ...(params.cursor && { search_after: decodeCursor(params.cursor, params.sort) }),
    ...(params.highlight && searchesMessage(query) && { highlight }),
  };
}

export interface SearchPage {
  total: number;
  totalRelation: 'eq' | 'gte';
  hits: SearchHit[];
  nextCursor: string | null;
  tookMs: number;
}

export function toSearchPage(response: estypes.SearchResponse<LogRecord>, params: SearchParams): SearchPage {
  const total = response.hits.total;
  const hits = response.hits.hits.flatMap((hit) =>
    hit._source ? [{ ...hit._source, ...(hit.highlight?.message && { highlight: hit.highlight.message }) }] : [],
  );
  const last = response.hits.hits.at(-1);
  const full = response.hits.hits.length === params.size;
  return {
    total: typeof total === 'number' ? total : (total?.value ?? 0),
    totalRelation: typeof total === 'object' && total.relation === 'gte' ? 'gte' : 'eq',
    hits,
    nextCursor: full && last?.sort ? encodeCursor({ order: params.sort, after: [Number(last.sort[0]), String(last.sort[1])] }) : null,
    tookMs: response.took,
  };
}
