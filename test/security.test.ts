import { createAdminQueue, createLogger, createRedis, loadConfig, setReaderPassword } from '@logflow/core';
import { TEST_READER_PASSWORD } from './reader-password.ts';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGESTER_URL, isoAt, QUERY_URL, queryString, runRange, startQueryPipeline, type QueryPipeline } from './query-pipeline.ts';
import { createApiKey, eventually, revokeApiKey, startRole, TEST_PORTS, type CreatedApiKey } from './roles.ts';
import { callApi } from './api-call.ts';
import { setTimeout as sleep } from 'node:timers/promises';

type CreatedKey = CreatedApiKey;

/**
 * API keys, roles, resource scopes, rate limits, revocation, the audit log and log redaction,
 * against the real pipeline with auth on. The first admin key comes from `logflow keys create`,
 * as on a fresh install; the others through the admin API.
 */
describe('security: API keys, roles, scopes, limits and audit', () => {
  let pipeline: QueryPipeline;
  let run: string;
  let admin: CreatedKey;
  let ingest: CreatedKey;
  let reader: CreatedKey;
  let scoped: CreatedKey;
  /** Every secret this file saw: none may appear in any log line. */
  const secrets: string[] = [];

  const query = (path: string, key: string | undefined, params: Record<string, string | string[]> = {}) =>
    callApi(`${QUERY_URL}${path}${Object.keys(params).length ? `?${queryString(params)}` : ''}`, key);
  const post = (url: string, key: string | undefined, body: unknown) => callApi(url, key, { method: 'POST', body: JSON.stringify(body) });
  const createKey = async (body: Record<string, unknown>): Promise<CreatedKey> => {
    const created = await post(`${QUERY_URL}/api/admin/keys`, admin.key, body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    secrets.push(created.body.key);
    return created.body;
  };

  // Resources: in the scoped key's patterns or not. `ops_<run>` is in scope; `opsX<run>` is the
  // trap for a pattern whose "_" would match any character (SQL LIKE).
  const resources = () => ({
    inScope: [`payments-${run}-api`, `payments-${run}-worker`, `ops_${run}`],
    outOfScope: [`billing-${run}-api`, `opsX${run}`, `paymentsX${run}`],
  });
  const inScope = (resourceId: string | undefined | null) => resourceId !== undefined && resourceId !== null && resources().inScope.includes(resourceId);
  const logIds = new Map<string, string>();

  // Its own admin queue: the jobs this file queues must not reach anyone's reconciler.
  const bullPrefix = `lftest-security-${Date.now()}`;

  beforeAll(async () => {
    pipeline = await startQueryPipeline('security', ['ingester', 'es-sink', 'pg-sink', 'query'], {
      LOGFLOW_AUTH: 'on',
      LOG_LEVEL: 'debug',
      BULLMQ_PREFIX: bullPrefix,
      QUERY_MAX_TAILS_PER_KEY: '2',
    });
    run = pipeline.run;
    admin = await createApiKey('admin', pipeline.env, 'first-admin');
    secrets.push(admin.key);
    ingest = await createKey({ name: 'ingest', role: 'ingest' });
    reader = await createKey({ name: 'reader', role: 'read' });
    scoped = await createKey({ name: 'payments-team', role: 'read', resourcePatterns: [`payments-${run}-*`, `ops_${run}`] });

    const { inScope: inside, outOfScope: outside } = resources();
    const logs = [...inside, ...outside].flatMap((resourceId, r) =>
      [0, 1, 2].map((i) => ({ level: i === 0 ? 'error' : 'info', message: `${resourceId} log ${i}`, resourceId, timestamp: isoAt(pipeline.base + r * 1000 + i) })),
    );
    const accepted = await post(`${INGESTER_URL}/logs`, ingest.key, logs);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    (accepted.body.ids as string[]).forEach((id, i) => logIds.set(`${logs[i]!.resourceId}/${i % 3}`, id));
    await pipeline.waitSearchable({ range: { timestamp: { gte: isoAt(pipeline.base), lt: isoAt(pipeline.base + 60_000) } } }, logs.length);
    await eventually(async () => {
      const { rows } = await pipeline.pool.query('SELECT count(*)::int AS n FROM logs WHERE timestamp >= $1 AND timestamp < $2', [isoAt(pipeline.base), isoAt(pipeline.base + 60_000)]);
      return rows[0].n === logs.length ? true : undefined;
    }, 60_000);
  });

  afterAll(async () => {
    for (const key of [ingest, reader, scoped]) if (key) await callApi(`${QUERY_URL}/api/admin/keys/${key.apiKey.id}`, admin.key, { method: 'DELETE' });
    if (admin) await revokeApiKey(admin.apiKey.id, pipeline.env);
    await pipeline?.close();
    const redis = createRedis(loadConfig({ ...process.env, BULLMQ_PREFIX: bullPrefix }), createLogger({ logLevel: 'warn' }, 'test'));
    const queue = createAdminQueue(loadConfig({ ...process.env, BULLMQ_PREFIX: bullPrefix }), redis);
    await queue.obliterate({ force: true });
    await queue.close();
    redis.disconnect();
  });

  describe('authentication and roles', () => {
    it('answers 401 without a key, with a malformed header and with an unknown key', async () => {
      for (const key of [undefined, 'lf_notakey']) {
        expect((await post(`${INGESTER_URL}/logs`, key, { level: 'info', message: 'x', timestamp: isoAt(pipeline.base) })).status).toBe(401);
        expect((await query('/api/logs/search', key)).status).toBe(401);
        expect((await post(`${QUERY_URL}/api/sql`, key, { sql: 'SELECT 1' })).status).toBe(401);
        expect((await query('/api/admin/keys', key)).status).toBe(401);
      }
      const basic = await callApi(`${QUERY_URL}/api/logs/search`, 'dXNlcjpwYXNz', {}, 'Basic');
      expect(basic.status).toBe(401);
      expect(basic.body.error.code).toBe('unauthorized');
      expect(basic.headers.get('www-authenticate')).toContain('Bearer');
    });

    it('takes the key as Bearer or ApiKey, and leaves health and docs open', async () => {
      expect((await callApi(`${QUERY_URL}/api/logs/search?size=1`, reader.key, {}, 'ApiKey')).status).toBe(200);
      expect((await callApi(`${QUERY_URL}/api/logs/search?size=1`, reader.key, {}, 'Bearer')).status).toBe(200);
      expect((await callApi(`${INGESTER_URL}/healthz`, undefined)).status).toBe(200);
      expect((await callApi(`${QUERY_URL}/api/docs/json`, undefined)).status).toBe(200);
    });

    it('tells the dashboard who a key is: name, role and scope', async () => {
      expect((await query('/api/auth/me', undefined)).status).toBe(401);
      expect((await query('/api/auth/me', ingest.key)).status).toBe(403);
      expect((await query('/api/auth/me', admin.key)).body).toEqual({ name: 'first-admin', role: 'admin' });
      expect((await query('/api/auth/me', scoped.key)).body).toEqual({
        name: 'payments-team',
        role: 'read',
        resourcePatterns: [`payments-${run}-*`, `ops_${run}`],
      });
    });

    it('answers 403 to a key whose role does not cover the route', async () => {
      const log = { level: 'info', message: 'x', timestamp: isoAt(pipeline.base + 59_000), resourceId: `billing-${run}-api` };
      expect((await post(`${INGESTER_URL}/logs`, reader.key, log)).status).toBe(403);
      expect((await post(`${INGESTER_URL}/logs`, scoped.key, log)).status).toBe(403);
      expect((await query('/api/logs/search', ingest.key)).status).toBe(403);
      expect((await post(`${QUERY_URL}/api/sql`, ingest.key, { sql: 'SELECT 1' })).status).toBe(403);
      for (const key of [reader.key, ingest.key]) {
        const forbidden = await query('/api/admin/keys', key);
        expect(forbidden.status).toBe(403);
        expect(forbidden.body.error.code).toBe('forbidden');
        expect((await post(`${QUERY_URL}/api/admin/jobs/reindex`, key, {})).status).toBe(403);
        expect((await query('/api/admin/audit', key)).status).toBe(403);
      }
      // An admin key may do everything, ingestion included.
      expect((await query('/api/logs/search', admin.key, { size: '1' })).status).toBe(200);
    });
  });

  it('never answers a stored hash nor a secret after creation, and lets no client set what the server decides', async () => {
    const listed = await query('/api/admin/keys', admin.key);
    expect(listed.status).toBe(200);
    const text = JSON.stringify(listed.body);
    expect(text).not.toContain('keyHash');
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(listed.body.keys.find((k: { id: string }) => k.id === scoped.apiKey.id)).toMatchObject({ role: 'read', resourcePatterns: [`payments-${run}-*`, `ops_${run}`] });
    for (const extra of [{ createdBy: 'someone-else' }, { id: 'chosen-id' }, { sqlRole: 'logflow_reader' }]) {
      expect((await post(`${QUERY_URL}/api/admin/keys`, admin.key, { name: 'mass-assigned', role: 'read', ...extra })).status).toBe(400);
    }
    // Only read keys can be limited to resources.
    expect((await post(`${QUERY_URL}/api/admin/keys`, admin.key, { name: 'x', role: 'admin', resourcePatterns: ['a-*'] })).status).toBe(400);
  });

  describe('a read key limited to resourceId patterns sees nothing else', () => {
    const range = () => runRange(pipeline);
    const expected = () => resources().inScope.length * 3;

    it('search (GET and POST, whatever the filters ask) and no freshness figures', async () => {
      const page = await query('/api/logs/search', scoped.key, { ...range(), size: '1000' });
      expect(page.status).toBe(200);
      expect(page.body.hits.every((h: { resourceId?: string }) => inScope(h.resourceId))).toBe(true);
      expect(page.body.total).toBe(expected());
      expect(page.body.freshness).toBeUndefined();
      const asked = await post(`${QUERY_URL}/api/logs/search`, scoped.key, { ...range(), q: `resourceId:billing-${run}-* OR resourceId:opsX${run}` });
      expect(asked.body.total).toBe(0);
      // The unscoped reader sees all of them, so the scope is what hides them.
      expect((await query('/api/logs/search', reader.key, { ...range(), size: '1000' })).body.total).toBe(expected() * 2);
    });

    it('histogram and top values', async () => {
      const histogram = await query('/api/logs/histogram', scoped.key, range());
      expect(histogram.body.total).toBe(expected());
      const top = await query('/api/logs/fields/resourceId/top', scoped.key, { ...range(), size: '100' });
      expect(top.body.values.map((v: { value: string }) => v.value).sort()).toEqual([...resources().inScope].sort());
      expect(top.body.total).toBe(expected());
    });

    it('one log by id and its context', async () => {
      const outside = logIds.get(`billing-${run}-api/0`)!;
      const inside = logIds.get(`payments-${run}-api/1`)!;
      expect((await query(`/api/logs/${outside}`, scoped.key)).status).toBe(404);
      expect((await query(`/api/logs/${outside}/context`, scoped.key)).status).toBe(404);
      expect((await query(`/api/logs/${outside}`, reader.key)).status).toBe(200);
      expect((await query(`/api/logs/${inside}`, scoped.key)).body.resourceId).toBe(`payments-${run}-api`);
      const context = await query(`/api/logs/${inside}/context`, scoped.key, { before: '50', after: '50' });
      expect(context.status).toBe(200);
      // Its two neighbours of the same resource, exactly (an empty context would prove nothing), all in scope.
      const neighbours = [...context.body.before, ...context.body.after] as { id: string; resourceId: string }[];
      expect(neighbours.map((log) => log.id).sort()).toEqual([0, 2].map((i) => logIds.get(`payments-${run}-api/${i}`)!).sort());
      expect(neighbours.every((log) => inScope(log.resourceId))).toBe(true);
    });

    it('export', async () => {
      const exported = await query('/api/logs/export', scoped.key, { ...range(), format: 'ndjson' });
      expect(exported.status).toBe(200);
      const lines = String(exported.body)
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { resourceId?: string });
      expect(lines).toHaveLength(expected());
      expect(lines.every((l) => inScope(l.resourceId))).toBe(true);
    });

    it('live tail', async () => {
      const abort = new AbortController();
      const response = await fetch(`${QUERY_URL}/api/logs/tail`, { headers: { authorization: `Bearer ${scoped.key}` }, signal: abort.signal });
      expect(response.status).toBe(200);
      const seen: string[] = [];
      const reading = (async () => {
        let buffer = '';
        try {
          for await (const chunk of response.body!) {
            buffer += Buffer.from(chunk as Uint8Array).toString('utf8');
            for (const line of buffer.split('\n')) {
              if (line.startsWith('data: ') && line.includes('"resourceId"')) seen.push((JSON.parse(line.slice(6)) as { resourceId: string }).resourceId);
            }
            buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
          }
        } catch {
          // Aborted below.
        }
      })();
      const { inScope: inside, outOfScope: outside } = resources();
      const fresh = [...outside, ...inside].map((resourceId) => ({ level: 'warn', message: `tail ${resourceId}`, resourceId, timestamp: isoAt(pipeline.base + 50_000) }));
      expect((await post(`${INGESTER_URL}/logs`, ingest.key, fresh)).status).toBe(202);
      await eventually(async () => (inside.every((r) => seen.includes(r)) ? true : undefined), 30_000, 100);
      // Out-of-scope logs went in first: had the tail let them through, they would be here by now.
      abort.abort();
      await reading;
      expect(seen.filter((r) => !inScope(r))).toEqual([]);
    });

    it('the SQL console, through row-level security, whatever the statement tries', async () => {
      const sql = (statement: string) => post(`${QUERY_URL}/api/sql`, scoped.key, { sql: statement });
      const { from, to } = range();
      const rows = await sql(`SELECT resource_id FROM logs WHERE timestamp >= '${from}' AND timestamp < '${to}'`);
      expect(rows.status, JSON.stringify(rows.body)).toBe(200);
      expect(rows.body.rows.every(([r]: [string]) => inScope(r))).toBe(true);
      // Three per resource before the tail test, one more each after it.
      expect(rows.body.rowCount).toBeGreaterThanOrEqual(expected());
      const everywhere = await sql(`SELECT DISTINCT resource_id FROM log_events WHERE resource_id LIKE '%${run}%'`);
      expect(everywhere.body.rows.map(([r]: [string]) => r).sort()).toEqual([...resources().inScope].sort());
      const errors = await sql(`SELECT count(*)::int FROM error_logs WHERE resource_id LIKE '%${run}%'`);
      expect(errors.body.rows[0][0]).toBe(resources().inScope.length);
      // The key's own login is read-only with a time limit, whatever the console does.
      const settings = await pipeline.pool.query('SELECT rolconfig FROM pg_roles WHERE rolname = $1', [scoped.apiKey.sqlRole]);
      expect(settings.rows[0].rolconfig).toEqual(expect.arrayContaining(['default_transaction_read_only=on', 'statement_timeout=60s']));
      // Ways around it: a wider role, a partition read directly, a write.
      expect((await sql(`SELECT set_config('role', 'logflow_reader', false)`)).status).toBe(400);
      const partition = await pipeline.pool.query<{ name: string }>(`SELECT inhrelid::regclass::text AS name FROM pg_inherits WHERE inhparent = 'logs'::regclass LIMIT 1`);
      expect((await sql(`SELECT count(*) FROM ${partition.rows[0]!.name}`)).body.error.details.code).toBe('42501');
      expect((await sql(`INSERT INTO logs (id, timestamp, received_at, level, message, kafka_partition, kafka_offset) VALUES (gen_random_uuid(), now(), now(), 'info', 'x', 0, 0)`)).status).toBe(400);
      // The unscoped reader still sees every log. Its password is shared by every installation on these engines: set it as the query service knows it.
      await setReaderPassword(pipeline.pool, TEST_READER_PASSWORD);
      const all = await post(`${QUERY_URL}/api/sql`, reader.key, { sql: `SELECT DISTINCT resource_id FROM logs WHERE resource_id LIKE '%${run}%'` });
      expect(all.body.rowCount, JSON.stringify(all.body)).toBe(6);
    });
  });

  it('limits what enters: body size, page size, regex length, tails per key, SQL time and rows', async () => {
    const huge = await post(`${QUERY_URL}/api/logs/search`, reader.key, { q: 'x'.repeat(2 * 1024 * 1024) });
    expect(huge.status).toBe(413);
    expect((await query('/api/logs/search', reader.key, { size: '1001' })).status).toBe(400);
    const regex = await query('/api/logs/search', reader.key, { q: `message:/${'a'.repeat(300)}/` });
    expect(regex.status).toBe(400);
    expect(regex.body.error.details[0].rule).toBe('regex_length');

    const tails = [new AbortController(), new AbortController()];
    const opened = await Promise.all(tails.map((abort) => fetch(`${QUERY_URL}/api/logs/tail`, { headers: { authorization: `Bearer ${scoped.key}` }, signal: abort.signal })));
    expect(opened.map((r) => r.status)).toEqual([200, 200]);
    const third = await query('/api/logs/tail', scoped.key);
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe('too_many_tails');
    expect(third.headers.get('retry-after')).toBeTruthy();
    // Another key is not held back by this one's tails.
    const other = new AbortController();
    expect((await fetch(`${QUERY_URL}/api/logs/tail`, { headers: { authorization: `Bearer ${reader.key}` }, signal: other.signal })).status).toBe(200);
    for (const abort of [...tails, other]) abort.abort();
    // A closed tail gives its slot back.
    await eventually(async () => {
      const again = new AbortController();
      const response = await fetch(`${QUERY_URL}/api/logs/tail`, { headers: { authorization: `Bearer ${scoped.key}` }, signal: again.signal });
      again.abort();
      return response.status === 200 ? true : undefined;
    });

    for (const key of [reader.key, scoped.key]) {
      const slow = await post(`${QUERY_URL}/api/sql`, key, { sql: 'SELECT pg_sleep(5)', timeoutMs: 200 });
      expect(slow.status).toBe(400);
      expect(slow.body.error.details.code).toBe('57014');
      const capped = await post(`${QUERY_URL}/api/sql`, key, { sql: 'SELECT generate_series(1, 50)', maxRows: 10 });
      expect(capped.body).toMatchObject({ rowCount: 10, truncated: true });
      expect((await post(`${QUERY_URL}/api/sql`, key, { sql: 'SELECT 1; SELECT 2' })).status).toBe(400);
    }
  });

  it('answers 429 with Retry-After to a key over its quota while another key still works', async () => {
    const limited = await createKey({ name: 'limited', role: 'read', rateLimitPerMinute: 3 });
    const statuses: number[] = [];
    let refused: Awaited<ReturnType<typeof query>> | undefined;
    for (let i = 0; i < 5; i += 1) {
      const answer = await query('/api/logs/search', limited.key, { size: '1' });
      statuses.push(answer.status);
      if (answer.status === 429) refused = answer;
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused!.body.error.code).toBe('rate_limited');
    expect((await query('/api/logs/search', reader.key, { size: '1' })).status).toBe(200);
    await callApi(`${QUERY_URL}/api/admin/keys/${limited.apiKey.id}`, admin.key, { method: 'DELETE' });
  });

  it('refuses a revoked key within 1 s, in the process that revoked it and in the others', async () => {
    const doomedRead = await createKey({ name: 'doomed-read', role: 'read' });
    const doomedIngest = await createKey({ name: 'doomed-ingest', role: 'ingest' });
    const log = { level: 'info', message: 'before revocation', timestamp: isoAt(pipeline.base + 58_000), resourceId: `payments-${run}-api` };
    // Used first, so each process has the key cached.
    expect((await query('/api/logs/search', doomedRead.key, { size: '1' })).status).toBe(200);
    expect((await post(`${INGESTER_URL}/logs`, doomedIngest.key, log)).status).toBe(202);
    for (const doomed of [doomedRead, doomedIngest]) {
      const revoked = await callApi(`${QUERY_URL}/api/admin/keys/${doomed.apiKey.id}`, admin.key, { method: 'DELETE' });
      expect(revoked.body.revokedAt).not.toBeNull();
    }
    const revokedAt = Date.now();
    const refusedAfter = async (attempt: () => Promise<{ status: number }>) => {
      for (;;) {
        if ((await attempt()).status === 401) return Date.now() - revokedAt;
        await sleep(25);
      }
    };
    const [readMs, ingestMs] = await Promise.all([
      refusedAfter(() => query('/api/logs/search', doomedRead.key, { size: '1' })),
      refusedAfter(() => post(`${INGESTER_URL}/logs`, doomedIngest.key, log)),
    ]);
    console.log(`revoked key refused after ${readMs} ms (query service), ${ingestMs} ms (ingester)`);
    expect(readMs).toBeLessThan(1_000);
    expect(ingestMs).toBeLessThan(1_000);
    const listed = await query('/api/admin/keys', admin.key);
    expect(listed.body.keys.find((k: { id: string }) => k.id === doomedRead.apiKey.id).revokedAt).not.toBeNull();
  });

  it('writes an audit row for every admin action: who, what, parameters, outcome', async () => {
    const before = (await query('/api/admin/audit', admin.key, { limit: '1' })).body.entries[0]?.id ?? 0;
    const actions: [string, string, unknown, number][] = [
      ['POST', '/api/admin/jobs/reconcile', { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' }, 202],
      ['POST', '/api/admin/jobs/replay', { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z', levels: ['error'] }, 202],
      ['POST', '/api/admin/jobs/reindex', {}, 202],
      ['POST', '/api/admin/jobs/retention', {}, 400],
      ['POST', '/api/admin/dlq/replay', { all: true }, 200],
      ['POST', '/api/admin/keys', { name: 'audited', role: 'ingest' }, 201],
    ];
    let createdId = '';
    for (const [method, path, body, status] of actions) {
      const answer = await callApi(`${QUERY_URL}${path}`, admin.key, { method, body: JSON.stringify(body) });
      expect(answer.status, `${path}: ${JSON.stringify(answer.body)}`).toBe(status);
      if (path === '/api/admin/keys') {
        secrets.push(answer.body.key);
        createdId = answer.body.apiKey.id;
      }
    }
    expect((await callApi(`${QUERY_URL}/api/admin/keys/${createdId}`, admin.key, { method: 'DELETE' })).status).toBe(200);
    // A refused attempt is an admin action too, recorded with the key that tried it.
    expect((await post(`${QUERY_URL}/api/admin/jobs/reindex`, reader.key, {})).status).toBe(403);

    // Each row is written before its answer is sent: no waiting.
    const listed = (await query('/api/admin/audit', admin.key, { limit: '100' })).body.entries as any[];
    const entries = listed.filter((e) => e.id > before).reverse();
    const byAdmin = entries.filter((e) => e.keyId === admin.apiKey.id);
    expect(byAdmin.map((e) => [e.action, e.status])).toEqual([...actions.map(([method, path, , status]) => [`${method} ${path}`, status]), ['DELETE /api/admin/keys/:id', 200]]);
    expect(byAdmin[0].params.body).toMatchObject({ from: '2026-01-01T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z' });
    expect(byAdmin[0].outcome).toBe('ok');
    expect(byAdmin[3].outcome).toBe('failed');
    expect(byAdmin.at(-1).params.params).toEqual({ id: createdId });
    expect(byAdmin.every((e) => e.keyName === 'first-admin' && e.at && e.requestId)).toBe(true);
    const denied = entries.find((e) => e.keyId === reader.apiKey.id);
    expect(denied).toMatchObject({ action: 'POST /api/admin/jobs/reindex', status: 403, outcome: 'denied', keyName: 'reader' });
    // The CLI's key creation is in the log too.
    const cli = await query('/api/admin/audit', admin.key, { action: 'cli keys create', limit: '1000' });
    expect(cli.body.entries.some((e: any) => e.params.name === 'first-admin')).toBe(true);
  });

  it('answers 503 with Retry-After when keys cannot be checked, and logs no key material then either', async () => {
    const port = TEST_PORTS.ingester + 7;
    const ingester = await startRole('ingester', { ...pipeline.env, LOGFLOW_AUTH: 'on', INGESTER_PORT: String(port), DATABASE_URL: 'postgres://logflow:logflow@127.0.0.1:1/logflow' });
    try {
      const answer = await post(`http://127.0.0.1:${port}/logs`, ingest.key, { level: 'info', message: 'x', timestamp: isoAt(pipeline.base) });
      expect(answer.status).toBe(503);
      expect(answer.body.error.code).toBe('auth_unavailable');
      expect(answer.headers.get('retry-after')).toBe('5');
    } finally {
      await ingester.stop();
    }
    const lines = ingester.output.filter((line) => line.includes('API key lookup failed'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(ingest.key);
    expect(lines[0]).not.toContain(createHash('sha256').update(ingest.key).digest('hex'));
  });

  it('writes no key material into any log line', async () => {
    const lines = [...pipeline.roles.values()].flatMap((role) => role.output);
    expect(lines.length).toBeGreaterThan(50);
    // Requests with keys were logged (debug), redacted where a header would appear.
    expect(lines.some((line) => line.includes('"url":"/api/logs/search'))).toBe(true);
    const leaks = lines.filter((line) => secrets.some((secret) => line.includes(secret) || line.includes(secret.slice(3, 23))));
    expect(leaks).toEqual([]);
    expect(secrets.length).toBe(8);
  });
});
