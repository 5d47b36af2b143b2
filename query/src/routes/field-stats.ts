import type { Client, estypes } from '@elastic/elasticsearch';
import type { HttpServer } from '@logflow/core';
import { z } from 'zod';
import { elasticsearchCall } from '../es-errors.ts';
import { resolveField } from '../fields.ts';
import { filterQuery, logFilterFields, resolveTimeRange, resourceScope, timeRangeClause, timeRangeFields } from '../log-filters.ts';
import { aliasTarget, TOTAL_HITS_CAP } from '../search-request.ts';

/**
 * Metadata fields counted in one answer at most: each is an aggregation of its own, and the
 * mapping of a busy installation can hold hundreds. The first ones by name are kept.
 */
export const MAX_METADATA_FIELDS = 200;

/** The built-in fields, in the order the sidebar lists them. Dates and ids have no useful top values. */
const BUILT_IN: { name: string; type: string; values: boolean }[] = [
  { name: 'timestamp', type: 'date', values: false },
  { name: 'receivedAt', type: 'date', values: false },
  { name: 'level', type: 'keyword', values: true },
  { name: 'resourceId', type: 'keyword', values: true },
  { name: 'traceId', type: 'keyword', values: true },
  { name: 'spanId', type: 'keyword', values: true },
  { name: 'commit', type: 'keyword', values: true },
  { name: 'message', type: 'text', values: true },
  { name: 'id', type: 'keyword', values: false },
];

const fieldStatsParams = z.object({
  ...logFilterFields,
  ...timeRangeFields,
  size: z.coerce.number().int().min(1).max(20).default(5).describe('top values per field'),
});

const fieldSchema = z.object({
  field: z.string().describe('the name the query language and columns use, e.g. `metadata.region`'),
  type: z.string().describe('how Elasticsearch holds it: keyword, text, date, long, double, boolean, or several joined by "|" when daily indices differ'),
  count: z.number().int().describe('matching logs that have this field'),
  values: z.array(z.object({ value: z.string(), count: z.number().int() })).describe('the most frequent values among the matching logs; empty for dates, ids and fields of mixed types'),
  otherCount: z.number().int().describe('matching logs with a value not listed'),
});

const fieldStatsSchema = z.object({
  total: z.number().int().describe(`matching logs; exact up to ${TOTAL_HITS_CAP}, beyond that a lower bound`),
  totalRelation: z.enum(['eq', 'gte']),
  fields: z.array(fieldSchema).describe('every field at least one matching log has, built-in first, then metadata.* by name'),
  truncated: z.boolean().describe(`more than ${MAX_METADATA_FIELDS} metadata fields exist in the searched indices: only the first ${MAX_METADATA_FIELDS} by name were counted`),
});
export type FieldStats = z.infer<typeof fieldStatsSchema>;

interface Candidate {
  name: string;
  esField: string;
  type: string;
  values: boolean;
}

interface FieldAggregation {
  doc_count: number;
  top?: { buckets: { key: string | number; key_as_string?: string; doc_count: number }[]; sum_other_doc_count?: number };
}

/**
 * The metadata leaves the mapping of the searched indices holds (objects are not fields of their
 * own), with their types: they are found from the data (dynamic mapping), not from a fixed list.
 */
async function metadataFields(es: Client, readAlias: string, indexFilter: estypes.QueryDslQueryContainer | undefined): Promise<{ fields: Candidate[]; truncated: boolean }> {
  const caps = await elasticsearchCall(() => es.fieldCaps({ ...aliasTarget(readAlias), fields: 'metadata.*', ...(indexFilter && { index_filter: indexFilter }) }));
  const leaves: Candidate[] = [];
  for (const [name, byType] of Object.entries(caps.fields)) {
    const types = Object.keys(byType).filter((t) => t !== 'object' && t !== 'nested' && t !== 'unmapped');
    const field = resolveField(name);
    // A name the query language cannot address could be neither filtered on nor shown as a column.
    if (types.length === 0 || !field) continue;
    // Terms of one field held as, say, long in one index and keyword in another cannot be merged.
    const aggregatable = types.length === 1 && types.every((t) => byType[t]?.aggregatable);
    leaves.push({ name, esField: field.esField, type: types.sort().join('|'), values: aggregatable });
  }
  leaves.sort((a, b) => a.name.localeCompare(b.name));
  return { fields: leaves.slice(0, MAX_METADATA_FIELDS), truncated: leaves.length > MAX_METADATA_FIELDS };
}

export function registerFieldStatsRoute(app: HttpServer, deps: { elasticsearch: Client; readAlias: string; maxPatternClauses?: number }): void {
  app.get(
    '/api/logs/fields',
    {
      schema: {
        tags: ['search'],
        summary: 'Every field of the logs a query matches, with how many have it and its top values (the field sidebar)',
        querystring: fieldStatsParams,
        response: { 200: fieldStatsSchema },
      },
    },
    async (request) => {
      const now = Date.now();
      const range = resolveTimeRange(request.query, now);
      const query = filterQuery(request.query, range, now, resourceScope(request), deps.maxPatternClauses);
      const metadata = await metadataFields(deps.elasticsearch, deps.readAlias, timeRangeClause(range));
      const candidates: Candidate[] = [...BUILT_IN.map((f) => ({ ...f, esField: resolveField(f.name)!.esField })), ...metadata.fields];
      // One aggregation per field, named by position: field names may hold characters aggregation names may not.
      const aggs: Record<string, estypes.AggregationsAggregationContainer> = Object.fromEntries(
        candidates.map((c, i) => [
          `f${i}`,
          {
            filter: { exists: { field: c.esField } },
            ...(c.values && { aggs: { top: { terms: { field: c.esField, size: request.query.size } } } }),
          },
        ]),
      );
      const response = await elasticsearchCall(() => deps.elasticsearch.search({ ...aliasTarget(deps.readAlias), size: 0, query, track_total_hits: TOTAL_HITS_CAP, aggs }));
      const results = (response.aggregations ?? {}) as unknown as Record<string, FieldAggregation | undefined>;
      const fields = candidates.flatMap((c, i) => {
        const agg = results[`f${i}`];
        if (!agg || agg.doc_count === 0) return [];
        return [
          {
            field: c.name,
            type: c.type,
            count: agg.doc_count,
            values: (agg.top?.buckets ?? []).map((b) => ({ value: b.key_as_string ?? String(b.key), count: b.doc_count })),
            otherCount: agg.top?.sum_other_doc_count ?? 0,
          },
        ];
      });
      const total = response.hits.total;
      return {
        total: typeof total === 'number' ? total : (total?.value ?? 0),
        totalRelation: typeof total === 'object' && total.relation === 'gte' ? ('gte' as const) : ('eq' as const),
        fields,
        truncated: metadata.truncated,
      };
    },
  );
}
