import { describe, expect, it } from 'vitest';
import { build } from '../test-helper.ts';

describe('GET /api/logs/tail, before the stream starts', () => {
  it('refuses a Last-Event-ID it did not send, naming the header', async () => {
    const { app, elasticsearch } = await build();
    const answer = await app.inject({ url: '/api/logs/tail', headers: { 'last-event-id': 'yesterday' } });
    expect(answer.statusCode).toBe(400);
    expect(answer.json()).toMatchObject({ error: { code: 'invalid_request', details: [{ field: 'headers.last-event-id', rule: 'invalid' }] } });
    expect(elasticsearch.requests).toEqual([]);
  });

  it('answers a query language error with 400 and its position, and Elasticsearch down with 503', async () => {
    const { app, elasticsearch } = await build();
    const syntax = await app.inject('/api/logs/tail?q=level:');
    expect(syntax.statusCode).toBe(400);
    expect(syntax.json()).toMatchObject({ error: { code: 'invalid_query', details: [{ field: 'q', position: expect.any(Number) }] } });
    elasticsearch.unreachable();
    const down = await app.inject('/api/logs/tail');
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ error: { code: 'search_unavailable' } });
  });
});

describe('GET /api/logs/export, before the stream starts', () => {
  it('refuses a format it does not write, naming it', async () => {
    const { app } = await build();
    const answer = await app.inject('/api/logs/export?format=xml');
    expect(answer.statusCode).toBe(400);
    expect(answer.json()).toMatchObject({ error: { details: [expect.objectContaining({ field: 'querystring.format', rule: 'invalid_value' })] } });
  });

  it('answers Elasticsearch down with 503 and Retry-After', async () => {
    const { app, elasticsearch } = await build();
    elasticsearch.unreachable();
    const answer = await app.inject('/api/logs/export');
    expect(answer.statusCode).toBe(503);
    expect(answer.headers['retry-after']).toBe('5');
  });
});
