import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import example from './fixtures/example_log.json' with { type: 'json' };
import { createApiKey, eventually, revokeApiKey, type CreatedApiKey, INGESTER_URL, QUERY_URL, startRole, type RunningRole } from './roles.ts';
import { isolatedPipeline, type IsolatedPipeline } from './sink-fixtures.ts';

describe('walking skeleton: HTTP → Kafka → Elasticsearch and Postgres → query API', () => {
  const roles: RunningRole[] = [];
  let pipeline: IsolatedPipeline;
  /** As a client of a real install: API keys on, one key to send logs, one to read them. */
  let keys: CreatedApiKey[] = [];
  let env: Record<string, string>;
  const ingestKey = () => keys[0]!.key;
  const readKey = () => keys[1]!.key;

  beforeAll(async () => {
    pipeline = await isolatedPipeline('skeleton');
    env = { ...pipeline.env, LOGFLOW_AUTH: 'on' };
    roles.push(...(await Promise.all(['ingester', 'es-sink', 'pg-sink', 'query'].map((role) => startRole(role, env)))));
    keys = await Promise.all([createApiKey('ingest', env), createApiKey('read', env)]);
  });

  afterAll(async () => {
    await Promise.all(roles.map((role) => role.stop()));
    for (const { apiKey } of keys) await revokeApiKey(apiKey.id, env);
    await pipeline?.close();
  });

  it('answers hello on the ingester root, as the seed did', async () => {
    const response = await fetch(`${INGESTER_URL}/`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { message: string }).message).toMatch(/hello/i);
  });

  it('finds the seed example log through the search API and in Postgres within 10 s', async () => {
    const posted = await fetch(`${INGESTER_URL}/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ingestKey()}` },
      body: JSON.stringify(example),
    });
    expect(posted.status).toBe(202);
    const { id } = (await posted.json()) as { id: string };
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    const search = new URLSearchParams({
      level: 'error',
      q: 'Failed to connect',
      from: '2023-09-15T08:00:00Z',
      to: '2023-09-15T08:00:00.001Z',
    });
    const started = Date.now();
    const [hit, row] = await Promise.all([
      eventually(async () => {
        const response = await fetch(`${QUERY_URL}/api/logs/search?${search}`, { headers: { authorization: `Bearer ${readKey()}` } });
        if (!response.ok) throw new Error(`search answered ${response.status}: ${await response.text()}`);
        const body = (await response.json()) as { hits: { id: string }[] };
        return body.hits.find((h) => h.id === id);
      }),
      eventually(async () => {
        const result = await pipeline.pool.query('SELECT * FROM logs WHERE id = $1', [id]);
        return result.rows[0];
      }),
    ]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(hit).toMatchObject({ ...example, id, timestamp: '2023-09-15T08:00:00.000Z' });
    expect(row).toMatchObject({
      id,
      level: 'error',
      message: 'Failed to connect to DB',
      resource_id: 'server-1234',
      trace_id: 'abc-xyz-123',
      span_id: 'span-456',
      commit: '5e5342f',
      metadata: { parentResourceId: 'server-0987' },
    });
    expect(new Date(row.timestamp).toISOString()).toBe('2023-09-15T08:00:00.000Z');
  });

  it('refuses an invalid log with a 400 that names the field and the rule', async () => {
    const response = await fetch(`${INGESTER_URL}/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ingestKey()}` },
      body: JSON.stringify({ ...example, level: 'loud' }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; details: { field: string; rule: string }[] } };
    expect(body.error.code).toBe('invalid_logs');
    expect(body.error.details).toContainEqual(expect.objectContaining({ field: 'level', rule: 'invalid_value' }));
  });

  it('serves the dashboard on the query port', async () => {
    const response = await fetch(`${QUERY_URL}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('<div id="app">');
  });
});
