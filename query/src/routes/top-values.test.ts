import { describe, expect, it } from 'vitest';
import { build } from '../test-helper.ts';

describe('GET /api/logs/fields/:field/top', () => {
  it('refuses a field it cannot count, or a date, naming params.field and the rule', async () => {
    const { app, elasticsearch } = await build();
    for (const field of ['nope', 'timestamp']) {
      const answer = await app.inject(`/api/logs/fields/${field}/top`);
      expect(answer.statusCode, field).toBe(400);
      expect(answer.json()).toMatchObject({ error: { code: 'invalid_request', details: [{ field: 'params.field', rule: 'unknown_field' }] } });
    }
    expect(elasticsearch.requests).toEqual([]);
  });

  it('refuses a size out of range, naming it', async () => {
    const { app } = await build();
    const answer = await app.inject('/api/logs/fields/level/top?size=0');
    expect(answer.statusCode).toBe(400);
    expect(answer.json()).toMatchObject({ error: { details: [expect.objectContaining({ field: 'querystring.size', rule: 'too_small' })] } });
  });

  it('answers the counted values of a known field', async () => {
    const { app, elasticsearch } = await build();
    elasticsearch.answer = () => ({
      statusCode: 200,
      body: {
        took: 1,
        timed_out: false,
        _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
        hits: { total: { value: 7, relation: 'eq' }, hits: [] },
        aggregations: { top: { buckets: [{ key: 'error', doc_count: 5 }], sum_other_doc_count: 2 }, missing: { doc_count: 0 } },
      },
    });
    const answer = await app.inject('/api/logs/fields/level/top?size=1');
    expect(answer.json()).toEqual({ field: 'level', total: 7, totalRelation: 'eq', values: [{ value: 'error', count: 5 }], otherCount: 2, missingCount: 0 });
  });
});
