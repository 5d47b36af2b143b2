import type { Client, estypes } from '@elastic/elasticsearch';
import { READ_ALIAS } from '@logflow/core/es-index';
import { LOG_LEVELS, type LogRecord } from '@logflow/core/log-event';
import { z } from 'zod';

const levelList = z
  .string()
  .transform((s) => s.split(',').map((l) => l.trim().toLowerCase()).filter(Boolean))
  .pipe(z.array(z.enum(LOG_LEVELS)));

export const searchQuerySchema = z.object({
  level: levelList.optional().describe('one level or several, comma-separated'),
  q: z.string().max(1024).optional().describe('full text over the message'),
  from: z.iso.datetime({ offset: true }).optional().describe('timestamp >= from'),
  to: z.iso.datetime({ offset: true }).optional().describe('timestamp < to'),
  size: z.coerce.number().int().min(1).max(1000).default(100),
});
export type SearchQuery = z.infer<typeof searchQuerySchema>;

const logRecordSchema = z.object({
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

export const searchResultSchema = z.object({
  total: z.number().int(),
  hits: z.array(logRecordSchema),
});
export type SearchResult = z.infer<typeof searchResultSchema>;

export function buildSearchRequest(query: SearchQuery): estypes.SearchRequest {
  const filter: estypes.QueryDslQueryContainer[] = [];
  if (query.level?.length) filter.push({ terms: { level: query.level } });
  if (query.from || query.to) {
    filter.push({ range: { timestamp: { ...(query.from && { gte: query.from }), ...(query.to && { lt: query.to }) } } });
  }
  const must: estypes.QueryDslQueryContainer[] = query.q ? [{ match: { message: { query: query.q, operator: 'and' } } }] : [];
  return {
    index: READ_ALIAS,
    // Before the first log is indexed the alias does not exist yet: that is an empty result, not an error.
    ignore_unavailable: true,
    allow_no_indices: true,
    size: query.size,
    track_total_hits: true,
    query: { bool: { filter, must } },
    sort: [{ timestamp: { order: 'desc' } }, { id: { order: 'desc' } }],
  };
}

export async function searchLogs(client: Client, query: SearchQuery): Promise<SearchResult> {
  const response = await client.search<LogRecord>(buildSearchRequest(query));
  const total = response.hits.total;
  return {
    total: typeof total === 'number' ? total : (total?.value ?? 0),
    hits: response.hits.hits.flatMap((hit) => (hit._source ? [hit._source] : [])),
  };
}
