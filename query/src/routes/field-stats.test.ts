import { describe, expect, it } from 'vitest';
import { build, EMPTY_SEARCH, type EsRequest } from '../test-helper.ts';

const CAPS = {
  indices: ['logflow-logs-1-2026.01.01'],
  fields: {
    metadata: { object: { type: 'object', searchable: false, aggregatable: false } },
    'metadata.region': { keyword: { type: 'keyword', searchable: true, aggregatable: true } },
    'metadata.attempt': { long: { type: 'long', searchable: true, aggregatable: true } },
    'metadata.mixed': { long: { type: 'long', searchable: true, aggregatable: true }, keyword: { type: 'keyword', searchable: true, aggregatable: true } },
    'metadata.has space': { keyword: { type: 'keyword', searchable: true, aggregatable: true } },
  },
};

/** Field caps answered with CAPS; the search with each aggregation's results looked up by the field it counts. */
function fakeEs(counts: Record<string, { docs: number; buckets?: [string | number, number][] }>) {
  return (request: EsRequest) => {
    if (request.path.includes('_field_caps')) return { statusCode: 200, body: CAPS };
    const aggs = (request.body as { aggs: Record<string, { filter: { exists: { field: string } } }> }).aggs;
    const aggregations = Object.fromEntries(
      Object.entries(aggs).map(([name, agg]) => {
        const found = counts[agg.filter.exists.field] ?? { docs: 0 };
        return [name, { doc_count: found.docs, top: { buckets: (found.buckets ?? []).map(([key, doc_count]) => ({ key, doc_count })), sum_other_doc_count: 0 } }];
      }),
    );
    return { statusCode: 200, body: { ...EMPTY_SEARCH, hits: { total: { value: 10, relation: 'eq' }, hits: [] }, aggregations } };
  };
}

describe('GET /api/logs/fields', () => {
  it('lists the fields the matching logs have, metadata ones from the mapping, with their counted values', async () => {
    const { app, elasticsearch } = await build();
    elasticsearch.answer = fakeEs({
      timestamp: { docs: 10 },
      level: {
        docs: 10,
        buckets: [
          ['error', 7],
          ['info', 3],
        ],
      },
      'metadata.region': {
        docs: 4,
        buckets: [
          ['eu', 3],
          ['us', 1],
        ],
      },
      'metadata.attempt': { docs: 2, buckets: [[3, 2]] },
      'metadata.mixed': { docs: 1 },
    });
    const answer = await app.inject('/api/logs/fields?q=level:error&size=2');
    expect(answer.statusCode).toBe(200);
    const body = answer.json<{ fields: { field: string; type: string; count: number; values: unknown[] }[] }>();
    expect(body.fields.map((f) => f.field)).toEqual(['timestamp', 'level', 'metadata.attempt', 'metadata.mixed', 'metadata.region']);
    expect(body.fields.find((f) => f.field === 'metadata.region')).toEqual({
      field: 'metadata.region',
      type: 'keyword',
      count: 4,
      values: [
        { value: 'eu', count: 3 },
        { value: 'us', count: 1 },
      ],
      otherCount: 0,
    });
    expect(body.fields.find((f) => f.field === 'metadata.attempt')!.values).toEqual([{ value: '3', count: 2 }]);
    expect(body.fields.find((f) => f.field === 'metadata.mixed')).toMatchObject({ type: 'keyword|long', count: 1, values: [] });
    // The counts are those of the search: its query is the aggregations' query; mixed types get no terms.
    const search = elasticsearch.requests.find((r) => r.path.includes('_search'))!.body as { query: unknown; aggs: Record<string, { aggs?: { top: { terms: { field: string; size: number } } } }> };
    expect(JSON.stringify(search.query)).toContain('"level"');
    const terms = Object.values(search.aggs).flatMap((a) => (a.aggs ? [a.aggs.top.terms] : []));
    expect(terms).toContainEqual({ field: 'metadata.region', size: 2 });
    expect(terms.some((t) => t.field === 'metadata.mixed' || t.field === 'timestamp' || t.field === 'id')).toBe(false);
  });

  it('refuses a size out of range and a bad query, naming them', async () => {
    const { app } = await build();
    const tooBig = await app.inject('/api/logs/fields?size=21');
    expect(tooBig.statusCode).toBe(400);
    expect(tooBig.json()).toMatchObject({ error: { details: [expect.objectContaining({ field: 'querystring.size', rule: 'too_big' })] } });
    const bad = await app.inject('/api/logs/fields?q=level:error%20AND');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'invalid_query' } });
  });
});
