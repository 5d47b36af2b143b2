import { searchHitSchema } from '@logflow/common';
import type { Client } from '@elastic/elasticsearch';
import type { FastifyRequest } from 'fastify';
import type { HttpServer, LogRecord } from '@logflow/core';
import { z } from 'zod';
import { elasticsearchCall } from '../es-errors.ts';
import { freshnessSchema, type Freshness } from '../freshness.ts';
import { filterQuery, resolveTimeRange, resourceScope } from '../log-filters.ts';
import { planSearch, searchParamsSchema, toSearchPage, TOTAL_HITS_CAP, type SearchParams } from '../search-request.ts';

/** A search waits this long at most for freshness figures that are not cached yet. */
const FRESHNESS_WAIT_MS = 25;

export const searchResultSchema = z.object({
  total: z.number().int().describe(`matching logs; exact up to ${TOTAL_HITS_CAP}, beyond that a lower bound`),
  totalRelation: z.enum(['eq', 'gte']).describe('eq: total is exact; gte: at least total'),
  hits: z.array(searchHitSchema),
  nextCursor: z.string().nullable().describe('pass as cursor for the next page; null on the last page'),
  tookMs: z.number().int(),
  freshness: freshnessSchema.optional(),
});

export function registerSearchRoutes(app: HttpServer, deps: { elasticsearch: Client; readAlias: string; freshness?: Freshness; maxPatternClauses?: number }): void {
  const search = async (params: SearchParams, request: FastifyRequest) => {
    const now = Date.now();
    const range = resolveTimeRange(params, now);
    const scope = resourceScope(request);
    const plan = planSearch(deps.readAlias, params, filterQuery(params, range, now, scope, deps.maxPatternClauses));
    // Freshness counts every log of the range: a key limited to some resources does not get them.
    const freshness = scope ? undefined : deps.freshness?.report(range, FRESHNESS_WAIT_MS);
    const es = deps.elasticsearch;
    const [page, total] = await elasticsearchCall(async () => {
      const [windowed, counted] = await Promise.all([es.search<LogRecord>(plan.page), plan.total && es.search(plan.total)]);
      const found = plan.unwindowed && windowed.hits.hits.length < params.size ? await es.search<LogRecord>(plan.unwindowed) : windowed;
      return [found, (counted ?? found).hits.total] as const;
    });
    return { ...toSearchPage(page, total, params), ...(freshness && { freshness: await freshness }) };
  };
  const schema = { tags: ['search'], response: { 200: searchResultSchema } };

  app.get('/api/logs/search', { schema: { ...schema, summary: 'Search logs: filters, query language, time range, sort, cursor pages', querystring: searchParamsSchema } }, async (request) =>
    search(request.query, request),
  );
  app.post('/api/logs/search', { schema: { ...schema, summary: 'Search logs with the parameters in a JSON body', body: searchParamsSchema } }, async (request) => search(request.body, request));
}
