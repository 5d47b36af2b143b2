import { describe, expect, it } from 'vitest';
import { build, EMPTY_SEARCH } from '../test-helper.ts';

type ErrorBody = { error: { code: string; message: string; details?: Record<string, unknown>[] }; requestId: string };

describe('GET and POST /api/logs/search', () => {
  it('answers a search with the page shape: total, hits, cursor, timing', async () => {
    const { app } = await build();
    const answer = await app.inject('/api/logs/search?q=level:error&from=now-1h');
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ total: 0, totalRelation: 'eq', hits: [], nextCursor: null, tookMs: 1 });
  });

  it('pages: a full page carries the cursor of its last hit, which the next request takes back', async () => {
    const { app, elasticsearch } = await build();
    const hit = (i: number) => ({
      _index: 'logs',
      _id: `id-${i}`,
      _source: { id: `id-${i}`, receivedAt: '2026-01-01T00:00:00.000Z', level: 'info', message: `m${i}`, timestamp: `2026-01-01T00:00:0${i}.000Z` },
      sort: [Date.parse(`2026-01-01T00:00:0${i}.000Z`), `id-${i}`],
    });
    elasticsearch.answer = () => ({ statusCode: 200, body: { ...EMPTY_SEARCH, hits: { total: { value: 5, relation: 'eq' }, hits: [hit(2), hit(1)] } } });
    const first = await app.inject('/api/logs/search?size=2');
    const page = first.json<{ hits: { id: string }[]; nextCursor: string }>();
    expect(page.hits.map((h) => h.id)).toEqual(['id-2', 'id-1']);
    expect(page.nextCursor).toEqual(expect.any(String));
    const next = await app.inject({ url: '/api/logs/search', query: { size: '2', cursor: page.nextCursor } });
    expect(next.statusCode).toBe(200);
    const wrongOrder = await app.inject({ url: '/api/logs/search', query: { size: '2', sort: 'asc', cursor: page.nextCursor } });
    expect(wrongOrder.statusCode).toBe(400);
    expect(wrongOrder.json<ErrorBody>().error).toMatchObject({ message: 'cursor: it belongs to sort=desc', details: [{ field: 'cursor', rule: 'invalid' }] });
  });

  it('refuses invalid parameters with 400 naming the parameter and the rule', async () => {
    const { app, elasticsearch } = await build();
    const refused = async (query: Record<string, string>) => {
      const answer = await app.inject({ url: '/api/logs/search', query });
      expect(answer.statusCode, JSON.stringify(query)).toBe(400);
      return answer.json<ErrorBody>().error;
    };
    expect(await refused({ level: 'loud' })).toMatchObject({ code: 'invalid_request', details: [expect.objectContaining({ field: 'querystring.level.0', rule: 'invalid_value' })] });
    expect((await refused({ size: '1001' })).details).toEqual([expect.objectContaining({ field: 'querystring.size', rule: 'too_big' })]);
    expect((await refused({ size: 'ten' })).details).toEqual([expect.objectContaining({ field: 'querystring.size' })]);
    expect((await refused({ sort: 'sideways' })).details).toEqual([expect.objectContaining({ field: 'querystring.sort', rule: 'invalid_value' })]);
    expect((await refused({ from: 'last tuesday' })).details).toEqual([expect.objectContaining({ field: 'querystring.from' })]);
    expect((await refused({ highlight: 'maybe' })).details?.[0]).toMatchObject({ field: 'querystring.highlight' });
    expect(await refused({ cursor: 'garbage' })).toMatchObject({ message: 'cursor: not a cursor this API returned', details: [{ field: 'cursor' }] });
    expect(await refused({ from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' })).toMatchObject({
      message: 'to: must be later than from',
      details: [{ field: 'to', rule: 'after_from' }],
    });
    expect(elasticsearch.requests).toEqual([]);
  });

  it('ignores parameters it does not know', async () => {
    const { app } = await build();
    expect((await app.inject('/api/logs/search?colour=blue')).statusCode).toBe(200);
  });

  it('answers a query language error with 400, the field q and the position', async () => {
    const { app, elasticsearch } = await build();
    const syntax = await app.inject({ url: '/api/logs/search', query: { q: 'level:error AND (resourceId:x OR' } });
    expect(syntax.statusCode).toBe(400);
    expect(syntax.json<ErrorBody>().error).toMatchObject({ code: 'invalid_query', details: [{ field: 'q', position: 32 }] });
    expect(syntax.json<ErrorBody>().error.message).toMatch(/^q: expected a clause after OR .* at position 32$/);
    const unknown = await app.inject({ url: '/api/logs/search', query: { q: 'level:error lvl:warn' } });
    expect(unknown.json<ErrorBody>().error).toMatchObject({ code: 'invalid_query', details: [{ field: 'q', position: 12 }] });
    expect(unknown.json<ErrorBody>().error.message).toContain("unknown field 'lvl'");
    expect(elasticsearch.requests).toEqual([]);
  });

  it('takes the same parameters as a JSON body, and names a body field it refuses', async () => {
    const { app } = await build();
    const ok = await app.inject({ method: 'POST', url: '/api/logs/search', payload: { level: ['error', 'fatal'], size: 5, highlight: false } });
    expect(ok.statusCode).toBe(200);
    const bad = await app.inject({ method: 'POST', url: '/api/logs/search', payload: { level: ['error', 'loud'] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<ErrorBody>().error.details).toEqual([expect.objectContaining({ field: 'body.level.1' })]);
  });

  it('answers 400 naming the reason when Elasticsearch refuses the query (a regex it cannot compile)', async () => {
    const { app, elasticsearch } = await build();
    elasticsearch.answer = () => ({
      statusCode: 400,
      body: {
        error: { type: 'search_phase_execution_exception', root_cause: [{ reason: 'invalid regex' }], failed_shards: [{ reason: { reason: 'x', caused_by: { reason: 'expected ]' } } }] },
        status: 400,
      },
    });
    const answer = await app.inject({ url: '/api/logs/search', query: { resourceId: '/server-[0-9/' } });
    expect(answer.statusCode).toBe(400);
    expect(answer.json<ErrorBody>().error).toEqual({ code: 'invalid_query', message: 'Elasticsearch refused the query: expected ]' });
  });

  it('answers 503 with Retry-After, not a stack trace, while Elasticsearch is unreachable or overloaded', async () => {
    const { app, elasticsearch } = await build();
    for (const fail of [() => elasticsearch.unreachable(), () => (elasticsearch.answer = () => ({ statusCode: 429, body: { error: 'too many requests' } }))]) {
      fail();
      const answer = await app.inject('/api/logs/search');
      expect(answer.statusCode).toBe(503);
      expect(answer.headers['retry-after']).toBe('5');
      expect(answer.json<ErrorBody>().error).toEqual({ code: 'search_unavailable', message: 'Elasticsearch is unreachable or overloaded; try again shortly' });
    }
  });

  it('with keys on: 401 without a key, 403 for an ingest key, and a read key searches', async () => {
    const { app, keys } = await build({}, { auth: true });
    keys.add('lf_ingest', 'ingest');
    keys.add('lf_read', 'read');
    expect((await app.inject('/api/logs/search')).statusCode).toBe(401);
    const ingest = await app.inject({ url: '/api/logs/search', headers: { authorization: 'Bearer lf_ingest' } });
    expect(ingest.statusCode).toBe(403);
    expect(ingest.json<ErrorBody>().error.message).toBe('a ingest key cannot use this route (it needs read)');
    expect((await app.inject({ url: '/api/logs/search', headers: { authorization: 'Bearer lf_read' } })).statusCode).toBe(200);
  });
});
