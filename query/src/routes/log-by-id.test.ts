import { describe, expect, it } from 'vitest';
import { build, EMPTY_SEARCH } from '../test-helper.ts';

const ID = '0190f5c2-7d4e-7a55-9c4e-1d2b3c4d5e6f';
const stored = { id: ID, receivedAt: '2026-01-01T00:00:00.000Z', level: 'info', message: 'served', timestamp: '2026-01-01T00:00:00.000Z', resourceId: 'server-1' };

describe('GET /api/logs/:id and /context', () => {
  it('refuses an id that is not a UUID, naming params.id, without asking Elasticsearch', async () => {
    const { app, elasticsearch } = await build();
    for (const url of ['/api/logs/not-an-id', '/api/logs/not-an-id/context']) {
      const answer = await app.inject(url);
      expect(answer.statusCode, url).toBe(400);
      expect(answer.json()).toMatchObject({ error: { code: 'invalid_request', details: [expect.objectContaining({ field: 'params.id' })] } });
    }
    expect(elasticsearch.requests).toEqual([]);
  });

  it('answers 404 log_not_found for an id no log has', async () => {
    const { app } = await build();
    const answer = await app.inject(`/api/logs/${ID}`);
    expect(answer.statusCode).toBe(404);
    expect(answer.json()).toMatchObject({ error: { code: 'log_not_found', message: `no log with id ${ID} (it may not be searchable yet)` } });
  });

  it('answers the stored log', async () => {
    const { app, elasticsearch } = await build();
    elasticsearch.answer = () => ({ statusCode: 200, body: { ...EMPTY_SEARCH, hits: { total: { value: 1, relation: 'eq' }, hits: [{ _index: 'logs', _id: ID, _source: stored }] } } });
    const answer = await app.inject(`/api/logs/${ID}`);
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual(stored);
  });

  it('refuses more neighbours than 500, naming the parameter', async () => {
    const { app } = await build();
    const answer = await app.inject(`/api/logs/${ID}/context?before=501`);
    expect(answer.statusCode).toBe(400);
    expect(answer.json()).toMatchObject({ error: { details: [expect.objectContaining({ field: 'querystring.before', rule: 'too_big' })] } });
  });
});

describe('GET /api/logs/:id/context?key=', () => {
  const withLog = (body: typeof stored & { traceId?: string; metadata?: object }) => (request: { path: string; body: unknown }) =>
    JSON.stringify(request.body).includes('"ids"')
      ? { statusCode: 200, body: { ...EMPTY_SEARCH, hits: { total: { value: 1, relation: 'eq' }, hits: [{ _index: 'logs', _id: ID, _source: body }] } } }
      : { statusCode: 200, body: EMPTY_SEARCH };

  it('finds the neighbours sharing the chosen key, a metadata path included', async () => {
    const { app, elasticsearch } = await build();
    elasticsearch.answer = withLog({ ...stored, traceId: 'trace-9', metadata: { pod: { name: 'p-1' } } });
    for (const [key, term] of [
      ['traceId', { traceId: 'trace-9' }],
      ['metadata.pod.name', { 'metadata.pod.name': 'p-1' }],
    ] as const) {
      elasticsearch.requests.length = 0;
      const answer = await app.inject(`/api/logs/${ID}/context?key=${key}`);
      expect(answer.statusCode, key).toBe(200);
      const neighbours = elasticsearch.requests.filter((r) => !JSON.stringify(r.body).includes('"ids"'));
      expect(neighbours).toHaveLength(2);
      for (const r of neighbours) expect(JSON.stringify(r.body), key).toContain(JSON.stringify({ term }));
    }
  });

  it('without a value for the key, finds the logs that have none', async () => {
    const { app, elasticsearch } = await build();
    elasticsearch.answer = withLog(stored);
    expect((await app.inject(`/api/logs/${ID}/context?key=spanId`)).statusCode).toBe(200);
    expect(JSON.stringify(elasticsearch.requests.at(-1)!.body)).toContain(JSON.stringify({ must_not: [{ exists: { field: 'spanId' } }] }));
  });

  it('refuses a key without exact values, naming the parameter', async () => {
    const { app, elasticsearch } = await build();
    for (const key of ['message', 'timestamp', 'nope']) {
      const answer = await app.inject(`/api/logs/${ID}/context?key=${key}`);
      expect(answer.statusCode, key).toBe(400);
      expect(answer.json()).toMatchObject({ error: { details: [expect.objectContaining({ field: 'querystring.key' })] } });
    }
    expect(elasticsearch.requests).toEqual([]);
  });
});
