import type { Client } from '@elastic/elasticsearch';
import { AppError, type HttpServer } from '@logflow/core';
import { z } from 'zod';
import { elasticsearchCall } from '../es-errors.ts';
import { FIELD_NAMES, resolveField } from '../fields.ts';
import { filterQuery, logFilterFields, resolveTimeRange, resourceScope, timeRangeFields } from '../log-filters.ts';
import { aliasTarget, TOTAL_HITS_CAP } from '../search-request.ts';

const topValuesParams = z.object({
  ...logFilterFields,
  ...timeRangeFields,
  size: z.coerce.number().int().min(1).max(1000).default(10).describe('how many values'),
});

const topValuesSchema = z.object({
  field: z.string(),
  total: z.number().int().describe(`matching logs; exact up to ${TOTAL_HITS_CAP}, beyond that a lower bound`),
  totalRelation: z.enum(['eq', 'gte']),
  values: z.array(z.object({ value: z.string(), count: z.number().int() })),
  otherCount: z.number().int().describe('matching logs with a value not listed'),
  missingCount: z.number().int().describe('matching logs without this field'),
});

interface TopAggregations {
  top?: { buckets: { key: string | number; key_as_string?: string; doc_count: number }[]; sum_other_doc_count?: number };
  missing?: { doc_count: number };
}

export function registerTopValuesRoute(app: HttpServer, deps: { elasticsearch: Client; readAlias: string; maxPatternClauses?: number }): void {
  app.get(
    '/api/logs/fields/:field/top',
    {
      schema: {
        tags: ['search'],
        summary: 'The most frequent values of a field among the logs a query matches',
        params: z.object({ field: z.string().max(300).describe(`one of ${FIELD_NAMES}`) }),
        querystring: topValuesParams,
        response: { 200: topValuesSchema },
      },
    },
    async (request) => {
      const field = resolveField(request.params.field);
      if (!field || field.kind === 'date') {
        const message = `expected a field with values to count: ${FIELD_NAMES.replace(/timestamp, receivedAt, /, '')}`;
        throw new AppError(400, 'invalid_request', `params.field: ${message}`, [{ field: 'params.field', rule: 'unknown_field', message }]);
      }
      const now = Date.now();
      const range = resolveTimeRange(request.query, now);
      const response = await elasticsearchCall(() =>
        deps.elasticsearch.search({
          ...aliasTarget(deps.readAlias),
          size: 0,
          query: filterQuery(request.query, range, now, resourceScope(request), deps.maxPatternClauses),
          track_total_hits: TOTAL_HITS_CAP,
          aggs: {
            top: { terms: { field: field.esField, size: request.query.size } },
            missing: { missing: { field: field.esField } },
          },
        }),
      );
      const aggs = response.aggregations as TopAggregations | undefined;
      const total = response.hits.total;
      return {
        field: field.name,
        total: typeof total === 'number' ? total : (total?.value ?? 0),
        totalRelation: typeof total === 'object' && total.relation === 'gte' ? ('gte' as const) : ('eq' as const),
        values: (aggs?.top?.buckets ?? []).map((b) => ({ value: b.key_as_string ?? String(b.key), count: b.doc_count })),
        otherCount: aggs?.top?.sum_other_doc_count ?? 0,
        missingCount: aggs?.missing?.doc_count ?? 0,
      };
    },
  );
}
