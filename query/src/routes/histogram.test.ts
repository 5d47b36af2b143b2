import { describe, expect, it } from 'vitest';
import { build } from '../test-helper.ts';

describe('GET /api/logs/histogram', () => {
  it('refuses invalid filters and a range that ends before it starts, naming the parameter', async () => {
    const { app, elasticsearch } = await build();
    const level = await app.inject('/api/logs/histogram?level=loud');
    expect(level.statusCode).toBe(400);
    expect(level.json()).toMatchObject({ error: { details: [expect.objectContaining({ field: 'querystring.level.0' })] } });
    const range = await app.inject('/api/logs/histogram?from=now&to=now-1h');
    expect(range.statusCode).toBe(400);
    expect(range.json()).toMatchObject({ error: { message: 'to: must be later than from', details: [{ field: 'to' }] } });
    expect(elasticsearch.requests).toEqual([]);
  });

  it('answers no buckets when nothing matches an open range', async () => {
    const { app } = await build();
    const answer = await app.inject('/api/logs/histogram');
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ interval: null, intervalMs: null, from: null, to: null, total: 0, buckets: [] });
  });
});
