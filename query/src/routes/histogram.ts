import type { Client } from '@elastic/elasticsearch';
import type { HttpServer } from '@logflow/core';
import { z } from 'zod';
import { elasticsearchCall } from '../es-errors.ts';
import { chooseInterval, histogramAggregation, histogramSchema, toHistogram } from '../histogram.ts';
import { filterQuery, logFiltersSchema, resolveTimeRange, resourceScope } from '../log-filters.ts';
import { aliasTarget } from '../search-request.ts';

interface Extremes {
  first?: { value: number | null };
  last?: { value: number | null };
}

export function registerHistogramRoute(app: HttpServer, deps: { elasticsearch: Client; readAlias: string; maxPatternClauses?: number }): void {
  app.get(
    '/api/logs/histogram',
    {
      schema: {
        tags: ['search'],
        summary: 'Counts over time for a query, split by level, in 50 to 100 buckets',
        querystring: logFiltersSchema,
        response: { 200: histogramSchema },
      },
    },
    async (request) => {
      const now = Date.now();
      const range = resolveTimeRange(request.query, now);
      const query = filterQuery(request.query, range, now, resourceScope(request), deps.maxPatternClauses);
      let { from, to } = range;
      if (from === undefined || to === undefined) {
        // An open end of the range reaches the first or last matching log.
        const extremes = await elasticsearchCall(() =>
          deps.elasticsearch.search({
            ...aliasTarget(deps.readAlias),
            size: 0,
            query,
            track_total_hits: false,
            aggs: { first: { min: { field: 'timestamp' } }, last: { max: { field: 'timestamp' } } },
          }),
        );
        const aggs = extremes.aggregations as Extremes | undefined;
        const last = aggs?.last?.value == null ? undefined : aggs.last.value + 1;
        from ??= aggs?.first?.value ?? undefined;
        // "Since from" means until now, like Kibana's relative ranges (later timestamps stay in).
        to ??= range.from === undefined ? last : Math.max(now, last ?? now);
      }
      if (from === undefined || to === undefined || to <= from) {
        return { interval: null, intervalMs: null, from: null, to: null, total: 0, buckets: [] } satisfies z.infer<typeof histogramSchema>;
      }
      const intervalMs = chooseInterval(from, to);
      const response = await elasticsearchCall(() =>
        deps.elasticsearch.search({
          ...aliasTarget(deps.readAlias),
          size: 0,
          query,
          track_total_hits: false,
          aggs: histogramAggregation(from, to, intervalMs),
        }),
      );
      return toHistogram(response.aggregations, from, to, intervalMs);
    },
  );
}
