import { createAdminQueue, createLogger, createRedis, loadConfig, setReaderPassword } from '@logflow/core';
import { execFile } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startQueryPipeline, type QueryPipeline } from './query-pipeline.ts';
import { TEST_READER_PASSWORD } from './reader-password.ts';
import { createApiKey, revokeApiKey, startRole, TEST_PORTS, type CreatedApiKey, type RunningRole } from './roles.ts';
import { callApi, type Answer } from './api-call.ts';

/**
 * Access hardening (issue 15): keys off on loopback only and still audited, revocation ending
 * open streams, saved searches per key, the audit log written first with server-side request
 * ids, failed authentications limited per address. Real processes on the shared engines.
 */

const post = (url: string, key: string | undefined, body: unknown, headers: Record<string, string> = {}) => callApi(url, key, { method: 'POST', body: JSON.stringify(body), headers });

/** Each describe gets its own admin queue: the jobs queued here must reach no one's reconciler. */
async function dropQueue(bullPrefix: string): Promise<void> {
  const config = loadConfig({ ...process.env, BULLMQ_PREFIX: bullPrefix });
  const redis = createRedis(config, createLogger({ logLevel: 'warn' }, 'test'));
  const queue = createAdminQueue(config, redis);
  await queue.obliterate({ force: true });
  await queue.close();
  redis.disconnect();
}

describe('keys off', () => {
  const port = TEST_PORTS.query + 1;
  const url = `http://127.0.0.1:${port}`;
  const bullPrefix = `lftest-keys-off-${Date.now()}`;
  let pipeline: QueryPipeline;
  let query: RunningRole;

  beforeAll(async () => {
    pipeline = await startQueryPipeline('keys-off', []);
    // Without a reader password (empty is none): the SQL console stays off.
    query = await pipeline.startRole('query', { LOGFLOW_AUTH: 'off', QUERY_PORT: String(port), BULLMQ_PREFIX: bullPrefix, LOGFLOW_READER_PASSWORD: '' });
  });

  afterAll(async () => {
    await pipeline?.close();
    await dropQueue(bullPrefix);
  });

  it('refuses to start on a network address unless the operator opens it on purpose', async () => {
    // A documentation address (TEST-NET-1): nothing could bind it anyway, so nothing is exposed should the check be missing.
    const started = startRole('query', { ...pipeline.env, LOGFLOW_AUTH: 'off', LISTEN_HOST: '192.0.2.1', QUERY_PORT: String(port + 1) });
    const error = await started.then(
      async (role) => {
        await role.stop();
        return undefined;
      },
      (err: Error) => err,
    );
    expect(error?.message).toContain('LISTEN_HOST: with LOGFLOW_AUTH=off every API is open');
    expect(error?.message).toContain('LOGFLOW_AUTH_OFF_ALLOW_REMOTE=true');
  });

  it('binds loopback only by default and says so', () => {
    expect(query.output.some((line) => line.includes('"level":40') && line.includes('LOGFLOW_AUTH=off') && line.includes('loopback only'))).toBe(true);
  });

  it('manages no API keys over HTTP, and audits every admin action as anonymous', async () => {
    const intruder = `intruder-${pipeline.run}`;
    const minted = await post(`${url}/api/admin/keys`, undefined, { name: intruder, role: 'admin' });
    expect(minted.status, JSON.stringify(minted.body)).toBe(403);
    expect(minted.body.error.code).toBe('api_keys_off');
    expect((await callApi(`${url}/api/admin/keys`, undefined)).status).toBe(403);
    const { rows: made } = await pipeline.pool.query('SELECT 1 FROM api_keys WHERE name = $1', [intruder]);
    expect(made).toEqual([]);

    const reconcile = await post(`${url}/api/admin/jobs/reconcile`, undefined, { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' });
    expect(reconcile.status, JSON.stringify(reconcile.body)).toBe(202);
    const audited = async (answer: Answer) =>
      (await pipeline.pool.query('SELECT key_id, key_name, action, status, outcome FROM audit_log WHERE request_id = $1', [answer.headers.get('x-request-id')])).rows;
    expect(await audited(minted)).toEqual([{ key_id: null, key_name: 'anonymous (auth off)', action: 'POST /api/admin/keys', status: 403, outcome: 'denied' }]);
    expect(await audited(reconcile)).toEqual([{ key_id: null, key_name: 'anonymous (auth off)', action: 'POST /api/admin/jobs/reconcile', status: 202, outcome: 'ok' }]);
  });

  it('has no SQL console until a reader password is configured', async () => {
    const answer = await post(`${url}/api/sql`, undefined, { sql: 'SELECT 1' });
    expect(answer.status).toBe(503);
    expect(answer.body.error.code).toBe('sql_console_off');
  });

  it('migrate without LOGFLOW_READER_PASSWORD gives the reader no password: the former default is locked, a chosen one kept', async () => {
    const CLI = fileURLToPath(new URL('../cli/logflow.mjs', import.meta.url));
    const migrateWithoutPassword = () => promisify(execFile)(process.execPath, [CLI, 'migrate'], { env: { ...process.env, ...pipeline.env, LOGFLOW_READER_PASSWORD: '' } });
    const readerLogin = async (password: string) => {
      const url = new URL(pipeline.env.DATABASE_URL ?? loadConfig().postgres.url);
      url.username = 'logflow_reader';
      url.password = password;
      const client = new pg.Client({ connectionString: url.toString() });
      try {
        await client.connect();
        return 'in';
      } catch (error) {
        return (error as { code?: string }).code;
      } finally {
        await client.end().catch(() => undefined);
      }
    };
    try {
      // An installation from before: the reader still has the password everyone knew.
      await setReaderPassword(pipeline.pool, 'logflow_reader');
      await migrateWithoutPassword();
      expect(['28000', '28P01']).toContain(await readerLogin('logflow_reader'));
      // A password someone chose stays as it is.
      await setReaderPassword(pipeline.pool, TEST_READER_PASSWORD);
      await migrateWithoutPassword();
      expect(await readerLogin(TEST_READER_PASSWORD)).toBe('in');
    } finally {
      // The role is the cluster's: the run's password, as the global setup gave it.
      await setReaderPassword(pipeline.pool, TEST_READER_PASSWORD);
    }
  });
});

describe('keys on', () => {
  const bullPrefix = `lftest-access-${Date.now()}`;
  let pipeline: QueryPipeline;
  let admin: CreatedApiKey;
  const made: string[] = [];
  const QUERY = `http://127.0.0.1:${TEST_PORTS.query}`;

  const createKey = async (body: Record<string, unknown>): Promise<CreatedApiKey> => {
    const created = await post(`${QUERY}/api/admin/keys`, admin.key, body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    made.push(created.body.apiKey.id);
    return created.body;
  };
  const auditRows = async (requestId: string | null) => (await pipeline.pool.query('SELECT key_id, key_name, action, status, outcome FROM audit_log WHERE request_id = $1', [requestId])).rows;

  beforeAll(async () => {
    pipeline = await startQueryPipeline('access', ['query'], { LOGFLOW_AUTH: 'on', BULLMQ_PREFIX: bullPrefix });
    admin = await createApiKey('admin', pipeline.env, `access-admin-${pipeline.run}`);
  });

  afterAll(async () => {
    for (const id of made) await callApi(`${QUERY}/api/admin/keys/${id}`, admin.key, { method: 'DELETE' });
    if (admin) await revokeApiKey(admin.apiKey.id, pipeline.env);
    await pipeline?.close();
    await dropQueue(bullPrefix);
  });

  it('ends an open live tail within seconds of its key being revoked', async () => {
    const doomed = await createKey({ name: `doomed-tail-${pipeline.run}`, role: 'read' });
    // The wait is bounded: a tail that outlives its key is cut off here and the test fails.
    const response = await fetch(`${QUERY}/api/logs/tail`, { headers: { authorization: `Bearer ${doomed.key}` }, signal: AbortSignal.timeout(20_000) });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('event: subscribed')) text += decoder.decode((await reader.read()).value, { stream: true });
    expect((await callApi(`${QUERY}/api/admin/keys/${doomed.apiKey.id}`, admin.key, { method: 'DELETE' })).status).toBe(200);
    let ended = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          ended = true;
          break;
        }
        text += decoder.decode(value, { stream: true });
      }
    } catch {
      // Cut off by the bound above.
    }
    expect(ended).toBe(true);
    expect(text).toMatch(/event: end\ndata: .*revoked/);
  });

  it("keeps each key's saved searches its own: others neither see nor change them, admins see all, changes are audited", async () => {
    const run = pipeline.run;
    const alice = await createKey({ name: `alice-${run}`, role: 'read' });
    const bob = await createKey({ name: `bob-${run}`, role: 'read', resourcePatterns: [`bob-${run}-*`] });
    const name = `errors-${run}`;
    const list = async (key: string) => ((await callApi(`${QUERY}/api/saved-searches`, key)).body.savedSearches as any[]).filter((s) => s.name === name);
    const saved = await post(`${QUERY}/api/saved-searches`, alice.key, { name, query: 'level=error' });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(await list(bob.key)).toEqual([]);
    // Bob's search of the same name is his own; Alice's stays as it was.
    expect((await post(`${QUERY}/api/saved-searches`, bob.key, { name, query: 'level=warn' })).status).toBe(200);
    expect((await list(alice.key)).map((s) => s.query)).toEqual(['level=error']);
    const bobs = (await list(bob.key))[0];
    expect(bobs.query).toBe('level=warn');
    const bobDeletesAlices = await callApi(`${QUERY}/api/saved-searches/${saved.body.id}`, bob.key, { method: 'DELETE' });
    expect(bobDeletesAlices.status).toBe(404);
    expect(await list(alice.key)).toHaveLength(1);
    // An admin sees and changes every key's.
    expect((await list(admin.key)).map((s) => s.query).sort()).toEqual(['level=error', 'level=warn']);
    const adminDeletes = await callApi(`${QUERY}/api/saved-searches/${bobs.id}`, admin.key, { method: 'DELETE' });
    expect(adminDeletes.status).toBe(204);
    expect(await list(bob.key)).toEqual([]);
    expect(await auditRows(saved.headers.get('x-request-id'))).toMatchObject([{ key_id: alice.apiKey.id, action: 'POST /api/saved-searches', status: 200, outcome: 'ok' }]);
    expect(await auditRows(bobDeletesAlices.headers.get('x-request-id'))).toMatchObject([{ key_id: bob.apiKey.id, action: 'DELETE /api/saved-searches/:id', status: 404, outcome: 'failed' }]);
    expect(await auditRows(adminDeletes.headers.get('x-request-id'))).toMatchObject([{ key_id: admin.apiKey.id, status: 204, outcome: 'ok' }]);
  });

  it("audits under the server's own request id (the client's beside it), writes sensitive reads, and skips HEAD", async () => {
    const clientId = `client-chosen-${pipeline.run}`;
    const listed = await callApi(`${QUERY}/api/admin/keys`, admin.key, { headers: { 'x-request-id': clientId } });
    expect(listed.status).toBe(200);
    const serverId = listed.headers.get('x-request-id');
    expect(serverId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await auditRows(serverId)).toMatchObject([{ key_id: admin.apiKey.id, action: 'GET /api/admin/keys', status: 200, outcome: 'ok' }]);
    const { rows } = await pipeline.pool.query('SELECT client_request_id FROM audit_log WHERE request_id = $1', [serverId]);
    expect(rows).toEqual([{ client_request_id: clientId }]);
    expect(await auditRows(clientId)).toEqual([]);
    // Dead letters hold whole payloads: reading them is written down too, whatever Kafka answered.
    const dlq = await callApi(`${QUERY}/api/admin/dlq`, admin.key);
    expect(await auditRows(dlq.headers.get('x-request-id'))).toMatchObject([{ key_id: admin.apiKey.id, action: 'GET /api/admin/dlq', status: dlq.status }]);
    const head = await callApi(`${QUERY}/api/admin/jobs`, admin.key, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await auditRows(head.headers.get('x-request-id'))).toEqual([]);
  });

  it('refuses an admin action with 503 when its audit row cannot be written, and does not run it', async () => {
    const run = pipeline.run;
    const unaudited = await createKey({ name: `audit-unwritable-${run}`, role: 'admin' });
    // A real failure of the real table, for this key's rows only: a trigger refuses them.
    const fn = `lftest_refuse_audit_${run}`;
    await pipeline.pool.query(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit refused by the test'; END $$`);
    await pipeline.pool.query(`CREATE TRIGGER ${fn} BEFORE INSERT ON audit_log FOR EACH ROW WHEN (NEW.key_name = 'audit-unwritable-${run}') EXECUTE FUNCTION ${fn}()`);
    try {
      const attempt = await post(`${QUERY}/api/admin/keys`, unaudited.key, { name: `never-made-${run}`, role: 'read' });
      expect(attempt.status, JSON.stringify(attempt.body)).toBe(503);
      expect(attempt.body.error.code).toBe('audit_unavailable');
      expect((await pipeline.pool.query('SELECT 1 FROM api_keys WHERE name = $1', [`never-made-${run}`])).rows).toEqual([]);
    } finally {
      await pipeline.pool.query(`DROP TRIGGER IF EXISTS ${fn} ON audit_log`);
      await pipeline.pool.query(`DROP FUNCTION IF EXISTS ${fn}()`);
    }
  });

  it('answers 429 with Retry-After to an address after too many failed authentications, and not to another address', async () => {
    const port = TEST_PORTS.query + 2;
    const limited = await startRole('query', {
      ...pipeline.env,
      LOGFLOW_AUTH: 'on',
      QUERY_PORT: String(port),
      BULLMQ_PREFIX: `${bullPrefix}-failures`,
      AUTH_MAX_FAILURES_PER_ADDRESS: '5',
      AUTH_FAILURE_WINDOW: '10m',
    });
    // From a chosen loopback address: 127.0.0.2 is another client to the server.
    const from = (localAddress: string, key: string) =>
      new Promise<{ status: number; retryAfter: string | undefined; body: any }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path: '/api/logs/search?size=1', localAddress, headers: { authorization: `Bearer ${key}` } }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          res.on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'], body: JSON.parse(text) }));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 8; i += 1) statuses.push((await from('127.0.0.1', `lf_wrong-${i}`)).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
      const refused = await from('127.0.0.1', 'lf_wrong-again');
      expect(refused.body.error.code).toBe('too_many_failed_authentications');
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
      expect((await from('127.0.0.2', 'lf_wrong-elsewhere')).status).toBe(401);
    } finally {
      await limited.stop();
    }
  });
});
