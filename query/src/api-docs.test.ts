import { describe, expect, it } from 'vitest';
import { build } from './test-helper.ts';

describe('the OpenAPI document', () => {
  it('is served at /api/docs and /api/docs/json without a key, with every search route and its parameters', async () => {
    const { app } = await build({}, { auth: true });
    expect((await app.inject('/api/docs')).statusCode).toBe(200);
    const answer = await app.inject('/api/docs/json');
    expect(answer.statusCode).toBe(200);
    const spec = answer.json<{ openapi: string; paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>> }>();
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/api/logs/search', '/api/logs/histogram', '/api/logs/fields/{field}/top', '/api/logs/{id}', '/api/logs/{id}/context', '/api/logs/tail', '/api/logs/export', '/api/sql']),
    );
    const params = spec.paths['/api/logs/search']!.get!.parameters!.map((p) => `${p.in}:${p.name}`);
    expect(params).toEqual(expect.arrayContaining(['query:q', 'query:level', 'query:from', 'query:to', 'query:size', 'query:cursor']));
  });
});
