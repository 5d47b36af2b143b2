import { gzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { AppError } from '@logflow/core';
import { build } from './test-helper.ts';

const log = (extra: Record<string, unknown> = {}) => ({
  level: 'error',
  message: 'Failed to connect to DB',
  resourceId: 'server-1234',
  timestamp: '2023-09-15T08:00:00Z',
  traceId: 'abc-xyz-123',
  metadata: { parentResourceId: 'server-0987' },
  ...extra,
});

const JSON_TYPE = { 'content-type': 'application/json' };
const NDJSON_TYPE = { 'content-type': 'application/x-ndjson' };
const ndjson = (...lines: unknown[]) => lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n');

describe('POST /logs accepts', () => {
  it('one log: 202 with its new id, handed to Kafka as it was sent, level lower-cased', async () => {
    const { app, producer, accepted } = await build();
    const answer = await app.inject({ method: 'POST', url: '/logs', payload: log({ level: 'WARN' }) });
    expect(answer.statusCode).toBe(202);
    const { id } = answer.json<{ id: string }>();
    expect(producer.sent).toEqual([expect.objectContaining({ id, level: 'warn', message: 'Failed to connect to DB', timestamp: '2023-09-15T08:00:00.000Z', traceId: 'abc-xyz-123' })]);
    expect(producer.sent[0]!.metadata).toEqual({ parentResourceId: 'server-0987' });
    expect(accepted).toEqual([1]);
  });

  it('a client-supplied id as it is: it is the idempotency key', async () => {
    const { app, producer } = await build();
    const id = '0190f5c2-7d4e-7a55-9c4e-1d2b3c4d5e6f';
    const answer = await app.inject({ method: 'POST', url: '/logs', payload: log({ id }) });
    expect(answer.json()).toEqual({ id });
    expect(producer.sent.map((r) => r.id)).toEqual([id]);
  });

  it('an array, NDJSON (blank lines skipped) and both gzip-compressed, each with the ids in request order', async () => {
    const { app, producer } = await build();
    const three = [log({ message: 'a' }), log({ message: 'b' }), log({ message: 'c' })];
    const bodies = [
      { headers: JSON_TYPE, payload: JSON.stringify(three) },
      { headers: NDJSON_TYPE, payload: `${ndjson(...three)}\n\n` },
      { headers: { ...JSON_TYPE, 'content-encoding': 'gzip' }, payload: gzipSync(JSON.stringify(three)) },
      { headers: { ...NDJSON_TYPE, 'content-encoding': 'gzip' }, payload: gzipSync(ndjson(...three)) },
    ];
    for (const body of bodies) {
      const before = producer.sent.length;
      const answer = await app.inject({ method: 'POST', url: '/logs', ...body });
      expect(answer.statusCode).toBe(202);
      const { ids, accepted, rejected, errors } = answer.json<{ ids: string[]; accepted: number; rejected: number; errors: unknown[] }>();
      expect({ accepted, rejected, errors }).toEqual({ accepted: 3, rejected: 0, errors: [] });
      expect(producer.sent.slice(before).map((r) => [r.id, r.message])).toEqual(ids.map((id, i) => [id, three[i]!.message]));
    }
  });

  it('the valid items of a partial batch (207), naming the index, field and rule of each refused one', async () => {
    const { app, producer } = await build();
    const answer = await app.inject({ method: 'POST', url: '/logs', payload: [log(), log({ level: 'loud' }), log(), log({ timestamp: 'yesterday' })] });
    expect(answer.statusCode).toBe(207);
    const body = answer.json<{ accepted: number; rejected: number; ids: (string | null)[]; errors: unknown[] }>();
    expect(body).toMatchObject({ accepted: 2, rejected: 2 });
    expect(body.ids.map((id) => id === null)).toEqual([false, true, false, true]);
    expect(body.errors).toEqual([expect.objectContaining({ index: 1, field: 'level', rule: 'invalid_value' }), expect.objectContaining({ index: 3, field: 'timestamp', rule: 'invalid_format' })]);
    expect(producer.sent.map((r) => r.id)).toEqual([body.ids[0], body.ids[2]]);
  });

  it('the good lines of NDJSON beside a broken one, naming the broken line', async () => {
    const { app, producer } = await build();
    const answer = await app.inject({ method: 'POST', url: '/logs', headers: NDJSON_TYPE, payload: ndjson(log(), '{"level": "info", "message": ', log()) });
    expect(answer.statusCode).toBe(207);
    expect(answer.json<{ errors: unknown[] }>().errors).toEqual([expect.objectContaining({ index: 1, field: '(line)', rule: 'invalid_json' })]);
    expect(producer.sent).toHaveLength(2);
  });
});

describe('POST /logs refuses, producing nothing', () => {
  it('one invalid log: 400 naming the field and rule, with the request id', async () => {
    const { app, producer } = await build();
    const answer = await app.inject({ method: 'POST', url: '/logs', payload: log({ level: 'loud' }) });
    expect(answer.statusCode).toBe(400);
    const body = answer.json<{ error: { code: string; message: string; details: unknown[] }; requestId: string }>();
    expect(body.error.code).toBe('invalid_logs');
    expect(body.error.message).toMatch(/^the log is invalid: \[0\] level: /);
    expect(body.error.details).toEqual([expect.objectContaining({ index: 0, field: 'level', rule: 'invalid_value' })]);
    expect(body.requestId).toBe(answer.headers['x-request-id']);
    expect(producer.sent).toEqual([]);
  });

  it('a log without its required fields, naming each', async () => {
    const { app } = await build();
    const answer = await app.inject({ method: 'POST', url: '/logs', payload: { level: 'info' } });
    expect(answer.statusCode).toBe(400);
    const fields = answer.json<{ error: { details: { field: string }[] } }>().error.details.map((d) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['message', 'timestamp']));
  });

  it('a batch whose every item is invalid, and an atomic batch with one invalid item', async () => {
    const { app, producer } = await build();
    const all = await app.inject({ method: 'POST', url: '/logs', payload: [log({ message: '' }), log({ level: 7 })] });
    expect(all.statusCode).toBe(400);
    expect(all.json<{ error: { message: string } }>().error.message).toMatch(/^every log in the batch is invalid: \[0\] message: .*; \[1\] level: /);
    const atomic = await app.inject({ method: 'POST', url: '/logs?atomic=true', payload: [log(), log(), log({ message: '' })] });
    expect(atomic.statusCode).toBe(400);
    expect(atomic.json()).toMatchObject({ error: { code: 'invalid_logs', details: [expect.objectContaining({ index: 2, field: 'message' })] } });
    expect(producer.sent).toEqual([]);
  });

  it('an unknown value of atomic, or a body that is not a log, an array or NDJSON, naming the parameter', async () => {
    const { app } = await build();
    const atomic = await app.inject({ method: 'POST', url: '/logs?atomic=yes', payload: log() });
    expect(atomic.statusCode).toBe(400);
    expect(atomic.json()).toMatchObject({ error: { code: 'invalid_request', details: [expect.objectContaining({ field: 'querystring.atomic' })] } });
    const scalar = await app.inject({ method: 'POST', url: '/logs', headers: JSON_TYPE, payload: '"a log"' });
    expect(scalar.statusCode).toBe(400);
    expect(scalar.json()).toMatchObject({ error: { code: 'invalid_request', message: expect.stringMatching(/^body: expected a log object, a JSON array of logs, or NDJSON/) } });
  });

  it('malformed JSON, invalid UTF-8, and __proto__ or constructor.prototype anywhere', async () => {
    const { app, producer } = await build();
    const post = (payload: string | Buffer, headers = JSON_TYPE) => app.inject({ method: 'POST', url: '/logs', headers, payload });
    const good = JSON.stringify(log());
    const codes = [
      await post(`[${good}, {"level": `),
      await post(Buffer.concat([Buffer.from('{"message":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')])),
      await post(`[${good}, {"level":"info","message":"x","timestamp":"2023-09-15T08:00:00Z","metadata":{"__proto__":{"admin":true}}}]`),
      await post(ndjson(log(), '{"constructor":{"prototype":{"admin":true}}}'), NDJSON_TYPE),
    ].map((answer) => [answer.statusCode, answer.json<{ error: { code: string } }>().error.code]);
    expect(codes).toEqual([
      [400, 'invalid_json'],
      [400, 'invalid_utf8'],
      [400, 'forbidden_key'],
      [400, 'forbidden_key'],
    ]);
    expect(producer.sent).toEqual([]);
  });

  it('a content type or encoding it does not take (415), and corrupt gzip (400)', async () => {
    const { app } = await build();
    const text = await app.inject({ method: 'POST', url: '/logs', headers: { 'content-type': 'text/plain' }, payload: JSON.stringify(log()) });
    expect(text.statusCode).toBe(415);
    const brotli = await app.inject({ method: 'POST', url: '/logs', headers: { ...JSON_TYPE, 'content-encoding': 'br' }, payload: JSON.stringify(log()) });
    expect(brotli.statusCode).toBe(415);
    expect(brotli.json()).toMatchObject({ error: { code: 'unsupported_encoding', message: 'Content-Encoding br is not supported; use gzip or none' } });
    const corrupt = await app.inject({ method: 'POST', url: '/logs', headers: { ...JSON_TYPE, 'content-encoding': 'gzip' }, payload: Buffer.from('not gzip at all') });
    expect(corrupt.statusCode).toBe(400);
  });

  it('more logs than a request may hold (413, naming the limit)', async () => {
    const { app, producer } = await build({ INGEST_MAX_BATCH_ITEMS: '3' });
    const answer = await app.inject({ method: 'POST', url: '/logs', payload: [log(), log(), log(), log()] });
    expect(answer.statusCode).toBe(413);
    expect(answer.json()).toMatchObject({ error: { code: 'too_many_items', message: 'the batch has 4 logs; at most 3 per request' } });
    expect(producer.sent).toEqual([]);
  });

  it('a body beyond the limit (413), measured after decompression: a gzip bomb too', async () => {
    const { app, producer } = await build({ INGEST_BODY_LIMIT_BYTES: '4096' });
    const big = await app.inject({ method: 'POST', url: '/logs', payload: log({ message: 'x'.repeat(5_000) }) });
    expect(big.statusCode).toBe(413);
    const bomb = gzipSync(Buffer.alloc(1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(4096);
    const inflated = await app.inject({ method: 'POST', url: '/logs', headers: { ...JSON_TYPE, 'content-encoding': 'gzip' }, payload: bomb });
    expect(inflated.statusCode).toBe(413);
    expect(producer.sent).toEqual([]);
  });

  it('logs outside the accepted time window, naming the rule', async () => {
    const { app } = await build({ INGEST_MAX_PAST: '1h' });
    const answer = await app.inject({ method: 'POST', url: '/logs', payload: log({ timestamp: '2000-01-01T00:00:00Z' }) });
    expect(answer.statusCode).toBe(400);
    expect(answer.json()).toMatchObject({ error: { details: [expect.objectContaining({ field: 'timestamp', rule: 'too_old' })] } });
  });
});

describe('POST /logs while Kafka refuses', () => {
  it("answers Kafka's refusal with its status and Retry-After, and the ids a retry should carry", async () => {
    const { app, producer, accepted } = await build();
    producer.failWith = new AppError(503, 'kafka_unavailable', 'Kafka did not acknowledge the logs in time', undefined, { 'retry-after': '5' });
    const answer = await app.inject({ method: 'POST', url: '/logs', payload: [log(), log()] });
    expect(answer.statusCode).toBe(503);
    expect(answer.headers['retry-after']).toBe('5');
    const { error } = answer.json<{ error: { code: string; details: { ids: string[] } } }>();
    expect(error.code).toBe('kafka_unavailable');
    expect(error.details.ids).toHaveLength(2);
    expect(accepted).toEqual([]);
  });

  it('answers 429 once the bodies waiting for Kafka reach INGEST_IN_PROGRESS_MAX_BYTES, and takes logs again when they are answered', async () => {
    const { app, producer } = await build({ INGEST_IN_PROGRESS_MAX_BYTES: '3000' });
    let acknowledge = () => {};
    producer.holdUntil = new Promise((resolve) => (acknowledge = resolve));
    const batch = Array.from({ length: 10 }, (_, i) => log({ message: `waiting ${i}` }));
    // One request always gets in, whatever its size; the second would pass the budget.
    const first = app.inject({ method: 'POST', url: '/logs', payload: batch });
    await vi.waitFor(() => expect(producer.held).toBe(1));
    const refused = await app.inject({ method: 'POST', url: '/logs', payload: batch });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json()).toMatchObject({ error: { code: 'ingest_queue_full' } });
    producer.holdUntil = undefined;
    acknowledge();
    expect((await first).statusCode).toBe(202);
    const again = await app.inject({ method: 'POST', url: '/logs', payload: batch });
    expect(again.statusCode).toBe(202);
    expect(producer.sent.filter((r) => r.message === 'waiting 0')).toHaveLength(2);
  });
});

describe('the ingester with API keys on', () => {
  const post = (app: Awaited<ReturnType<typeof build>>['app'], authorization?: string) =>
    app.inject({ method: 'POST', url: '/logs', payload: log(), headers: authorization === undefined ? {} : { authorization } });

  it('refuses POST /logs without a key, with a malformed header, or with an unknown key (401, naming the scheme)', async () => {
    const { app, producer } = await build({}, { auth: true });
    for (const header of [undefined, 'Basic abc', 'Bearer lf_unknown']) {
      const answer = await post(app, header);
      expect(answer.statusCode, header).toBe(401);
      expect(answer.headers['www-authenticate']).toBe('Bearer realm="logflow"');
      expect(answer.json<{ error: { code: string } }>().error.code).toBe('unauthorized');
    }
    expect(producer.sent).toEqual([]);
  });

  it('refuses a read key (403, naming what the route needs) and takes an ingest or admin key', async () => {
    const { app, keys, producer } = await build({}, { auth: true });
    keys.add('lf_read', 'read');
    keys.add('lf_ingest', 'ingest');
    keys.add('lf_admin', 'admin');
    const read = await post(app, 'Bearer lf_read');
    expect(read.statusCode).toBe(403);
    expect(read.json()).toMatchObject({ error: { code: 'forbidden', message: 'a read key cannot use this route (it needs ingest)' } });
    expect((await post(app, 'Bearer lf_ingest')).statusCode).toBe(202);
    expect((await post(app, 'ApiKey lf_admin')).statusCode).toBe(202);
    expect(producer.sent).toHaveLength(2);
  });

  it('limits a key to its requests a minute (429 with Retry-After)', async () => {
    const { app, keys } = await build({}, { auth: true });
    keys.add('lf_slow', 'ingest', 2);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(app, 'Bearer lf_slow')).statusCode);
    expect(statuses).toEqual([202, 202, 429]);
    const limited = await post(app, 'Bearer lf_slow');
    expect(limited.json()).toMatchObject({ error: { code: 'rate_limited' } });
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
  });

  it('leaves health, readiness and metrics open to probes and scrapers', async () => {
    const { app } = await build({}, { auth: true });
    for (const url of ['/', '/healthz', '/readyz', '/metrics']) expect((await app.inject(url)).statusCode, url).toBe(200);
  });
});

describe('health, readiness and metrics', () => {
  it('is healthy while up, and ready only while Kafka takes logs', async () => {
    const { app, producer } = await build();
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await app.inject('/readyz')).json()).toEqual({ status: 'ready' });
    producer.ready = false;
    const notReady = await app.inject('/readyz');
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toMatchObject({ status: 'not_ready' });
  });

  it('counts accepted logs, refusals by rule, and body bytes in the Prometheus text format', async () => {
    const { app } = await build();
    await app.inject({ method: 'POST', url: '/logs', payload: [log(), log({ level: 'loud' })] });
    const answer = await app.inject('/metrics');
    expect(answer.headers['content-type']).toMatch(/^text\/plain/);
    const metrics = answer.body;
    expect(metrics).toMatch(/^logflow_ingest_logs_accepted_total 1$/m);
    expect(metrics).toMatch(/^logflow_ingest_logs_rejected_total\{reason="invalid_value"\} 1$/m);
    expect(metrics).toMatch(/^logflow_ingest_bytes_total [1-9]\d*$/m);
    expect(metrics).toContain('logflow_ingest_request_batch_size_bucket');
  });
});
