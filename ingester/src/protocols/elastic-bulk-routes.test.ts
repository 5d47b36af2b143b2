import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AppError } from '@logflow/core';
import { build } from '../test-helper.ts';

const ID = '0192b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b';
const doc = (extra: Record<string, unknown> = {}) => ({
  '@timestamp': '2026-11-28T10:00:00.000Z',
  message: 'payment refused',
  log: { level: 'warn' },
  service: { name: 'checkout' },
  trace: { id: 'trace-1' },
  user: { id: 42 },
  ...extra,
});
const ndjson = (...lines: unknown[]) => `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`;
/** What @elastic/elasticsearch 8.x sends a bulk body as. */
const CLIENT_TYPE = { 'content-type': 'application/vnd.elasticsearch+x-ndjson; compatible-with=8' };

describe('POST /_bulk', () => {
  it("takes index and create actions, in any content type shippers use, answering in Elasticsearch's shape", async () => {
    const { app, producer, accepted } = await build();
    for (const contentType of ['application/x-ndjson', 'application/json', CLIENT_TYPE['content-type']]) {
      const answer = await app.inject({ method: 'POST', url: '/_bulk', headers: { 'content-type': contentType }, payload: ndjson({ index: { _index: 'web' } }, doc(), { create: {} }, doc()) });
      expect(answer.statusCode, contentType).toBe(200);
      expect(answer.headers['x-elastic-product']).toBe('Elasticsearch');
      const body = answer.json();
      expect(body).toMatchObject({ errors: false, items: [{ index: { _index: 'web', status: 201, result: 'created' } }, { create: { status: 201, result: 'created' } }] });
      expect(typeof body.took).toBe('number');
    }
    expect(producer.sent).toHaveLength(6);
    expect(accepted).toEqual([2, 2, 2]);
    expect(producer.sent[0]).toMatchObject({
      level: 'warn',
      message: 'payment refused',
      timestamp: '2026-11-28T10:00:00.000Z',
      resourceId: 'checkout',
      traceId: 'trace-1',
      metadata: { user: { id: 42 } },
    });
  });

  it('answers each item with the id of its log: the action _id when it is a UUID, so a retry is the same log', async () => {
    const { app, producer } = await build();
    const answer = await app.inject({
      method: 'POST',
      url: '/logs-web/_bulk',
      headers: CLIENT_TYPE,
      payload: ndjson({ create: { _id: ID } }, doc({ service: undefined }), { index: { _id: 'not-a-uuid' } }, doc()),
    });
    const items = answer.json().items;
    expect(items[0].create).toMatchObject({ _index: 'logs-web', _id: ID, status: 201 });
    expect(items[1].index._id).not.toBe('not-a-uuid');
    expect(producer.sent.map((r) => r.id)).toEqual([ID, items[1].index._id]);
    expect(producer.sent[0]!.resourceId).toBe('logs-web');
  });

  it('refuses a bad item on its own (the others are taken), and update and delete, each with its reason', async () => {
    const { app, producer } = await build();
    const answer = await app.inject({
      method: 'POST',
      url: '/_bulk',
      headers: CLIENT_TYPE,
      payload: ndjson(
        { index: {} },
        doc(),
        { index: { _id: 'a' } },
        doc({ log: { level: 'loud' } }),
        { index: {} },
        '{"message": ',
        { delete: { _id: 'x' } },
        { update: { _id: 'y' } },
        { doc: {} },
        { create: {} },
        { message: 'm' },
        { create: {} },
        doc(),
      ),
    });
    expect(answer.statusCode).toBe(200);
    const { errors, items } = answer.json();
    expect(errors).toBe(true);
    expect(items.map((item: Record<string, { status: number }>) => Object.values(item)[0]!.status)).toEqual([201, 400, 400, 400, 400, 400, 201]);
    expect(items[1].index).toMatchObject({ _id: 'a', error: { type: 'document_parsing_exception', reason: expect.stringContaining('level (from log.level)') } });
    expect(items[2].index.error.reason).toContain('not valid JSON');
    expect(items[3].delete.error).toMatchObject({ type: 'illegal_argument_exception', reason: expect.stringContaining('delete is not supported') });
    expect(items[4].update.error.reason).toContain('update is not supported');
    expect(items[5].create.error.reason).toContain('no @timestamp');
    expect(producer.sent).toHaveLength(2);
  });

  it('takes a gzip body, and refuses beyond the body limit (413), measured after decompression', async () => {
    const { app, producer } = await build({ INGEST_BODY_LIMIT_BYTES: '4096' });
    const gzip = { ...CLIENT_TYPE, 'content-encoding': 'gzip' };
    expect((await app.inject({ method: 'POST', url: '/_bulk', headers: gzip, payload: gzipSync(ndjson({ index: {} }, doc())) })).statusCode).toBe(200);
    const big = await app.inject({ method: 'POST', url: '/_bulk', headers: gzip, payload: gzipSync(ndjson({ index: {} }, doc({ message: 'x'.repeat(5_000) }))) });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ status: 413, error: { type: expect.any(String), reason: expect.any(String) } });
    expect(producer.sent).toHaveLength(1);
  });

  it('refuses the whole request for a broken action line, too many actions, or refresh=wait_for, in both error shapes', async () => {
    const { app, producer } = await build({ INGEST_MAX_BATCH_ITEMS: '2' });
    const broken = await app.inject({ method: 'POST', url: '/_bulk', headers: CLIENT_TYPE, payload: ndjson('{"index": ', doc()) });
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toMatchObject({ status: 400, error: { type: 'invalid_bulk_action', code: 'invalid_bulk_action', reason: expect.stringContaining('line 1') } });
    const many = await app.inject({ method: 'POST', url: '/_bulk', headers: CLIENT_TYPE, payload: ndjson({ index: {} }, doc(), { index: {} }, doc(), { index: {} }, doc()) });
    expect(many.statusCode).toBe(413);
    const refresh = await app.inject({ method: 'POST', url: '/_bulk?refresh=wait_for', headers: CLIENT_TYPE, payload: ndjson({ index: {} }, doc()) });
    expect(refresh.statusCode).toBe(400);
    expect(refresh.json().error.reason).toContain('refresh');
    expect(producer.sent).toEqual([]);
  });

  it("answers Kafka's refusal for the whole request with its status and Retry-After: nothing was taken", async () => {
    const { app, producer, accepted } = await build();
    producer.failWith = new AppError(503, 'kafka_unavailable', 'Kafka did not acknowledge the logs in time', undefined, { 'retry-after': '5' });
    const answer = await app.inject({ method: 'POST', url: '/_bulk', headers: CLIENT_TYPE, payload: ndjson({ index: { _id: ID } }, doc()) });
    expect(answer.statusCode).toBe(503);
    expect(answer.headers['retry-after']).toBe('5');
    expect(answer.json()).toMatchObject({ status: 503, error: { type: 'kafka_unavailable', details: { ids: [ID] } } });
    expect(accepted).toEqual([]);
  });
});

describe('what Elasticsearch clients call besides _bulk', () => {
  it('GET / and HEAD /: cluster info with an 8.x version and the product header', async () => {
    const { app } = await build({}, { auth: true });
    const info = await app.inject({ method: 'GET', url: '/' });
    expect(info.statusCode).toBe(200);
    expect(info.headers['x-elastic-product']).toBe('Elasticsearch');
    expect(info.json()).toMatchObject({ version: { number: expect.stringMatching(/^8\.\d+\.\d+$/), build_flavor: 'default' }, message: expect.stringMatching(/hello/i) });
    const head = await app.inject({ method: 'HEAD', url: '/' });
    expect(head.statusCode).toBe(200);
    expect(head.headers['x-elastic-product']).toBe('Elasticsearch');
  });

  it('_cluster/health and _cat/health (GET and HEAD): green while Kafka takes logs, red (503) while not', async () => {
    const { app, producer } = await build();
    for (const url of ['/_cluster/health', '/_cat/health']) {
      expect((await app.inject({ method: 'GET', url })).json()).toEqual({ cluster_name: 'logflow', status: 'green' });
      expect((await app.inject({ method: 'HEAD', url })).statusCode).toBe(200);
    }
    producer.ready = false;
    const red = await app.inject({ method: 'GET', url: '/_cluster/health' });
    expect(red.statusCode).toBe(503);
    expect(red.json()).toMatchObject({ status: 'red' });
    expect((await app.inject({ method: 'HEAD', url: '/_cat/health' })).statusCode).toBe(503);
  });

  it('_refresh: answered without claiming any shard refreshed', async () => {
    const { app } = await build();
    for (const [method, url] of [
      ['GET', '/_refresh'],
      ['POST', '/logs-web/_refresh'],
    ] as const) {
      const answer = await app.inject({ method, url });
      expect(answer.statusCode).toBe(200);
      expect(answer.json()).toEqual({ _shards: { total: 0, successful: 0, failed: 0 } });
    }
  });
});

describe('POST /_bulk with API keys on', () => {
  it('refuses a request without a key or with an unknown one (401), and takes an ingest key as ApiKey or Bearer', async () => {
    const { app, keys, producer } = await build({}, { auth: true });
    keys.add('lf_ingest', 'ingest');
    keys.add('lf_read', 'read');
    const send = (authorization?: string) =>
      app.inject({ method: 'POST', url: '/web/_bulk', headers: { ...CLIENT_TYPE, ...(authorization === undefined ? {} : { authorization }) }, payload: ndjson({ index: {} }, doc()) });
    for (const header of [undefined, 'ApiKey lf_unknown', 'Basic dXNlcjpwYXNz']) {
      const answer = await send(header);
      expect(answer.statusCode, header).toBe(401);
      expect(answer.json()).toMatchObject({ status: 401, error: { type: 'unauthorized' } });
    }
    expect((await send('ApiKey lf_read')).statusCode).toBe(403);
    expect((await send('ApiKey lf_ingest')).statusCode).toBe(200);
    expect((await send('Bearer lf_ingest')).statusCode).toBe(200);
    expect(producer.sent).toHaveLength(2);
  });
});
