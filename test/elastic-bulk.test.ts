import { Client, errors } from '@elastic/elasticsearch';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import pino from 'pino';
import pinoElastic from 'pino-elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { INGESTER_URL } from './roles.ts';
import { startShipperPipeline, type ShipperPipeline } from './shipper-pipeline.ts';

/**
 * Shippers that speak Elasticsearch's bulk API, with their real client libraries, against the
 * ingester's `/_bulk` with API keys on: each log they send is searchable with the mapped fields
 * and stored in Postgres; what is refused is refused per item or per request, as they expect.
 */
describe('the Elasticsearch bulk API, with real clients', () => {
  let pipeline: ShipperPipeline;
  const client = (apiKey?: string) => new Client({ node: INGESTER_URL, ...(apiKey === undefined ? {} : { auth: { apiKey } }), maxRetries: 0 });
  const searched = (resourceId: string, count: number) => pipeline.searched(resourceId, count);
  const stored = (resourceId: string, count: number) => pipeline.rows(resourceId, count);

  beforeAll(async () => {
    pipeline = await startShipperPipeline('bulk');
  });

  afterAll(async () => {
    await pipeline?.close();
  });

  it('takes ECS documents from the @elastic/elasticsearch bulk helper (ApiKey), searchable with their fields and stored in Postgres', async () => {
    const service = `shop-${randomUUID()}`;
    const start = Date.now() - 60_000;
    const at = (i: number) => new Date(start + i * 1_000).toISOString();
    const retried = uuidv7();
    const documents = [
      { '@timestamp': at(0), message: 'payment refused', log: { level: 'warn' }, service: { name: service }, trace: { id: 'trace-1' }, span: { id: 'span-1' }, user: { id: 42 } },
      { '@timestamp': at(1), message: 'order placed', 'log.level': 'info', 'service.name': service, labels: { order: 'o-7' } },
      { timestamp: at(2), message: 'db down', level: 'ERROR', resourceId: service, traceId: 'trace-2', commit: 'abc123' },
      { '@timestamp': at(3), message: 'sent twice, kept once', severity: 'notice', service: { name: service }, id: retried },
      { '@timestamp': at(3), message: 'sent twice, kept once', severity: 'notice', service: { name: service }, id: retried },
    ];
    const stats = await client(pipeline.ingestKey).helpers.bulk({
      datasource: documents,
      onDocument: (doc) => ({ create: { _index: 'logs-shop', ...('id' in doc ? { _id: doc.id } : {}) } }),
      onDrop: (dropped) => expect.fail(`dropped: ${JSON.stringify(dropped.error)}`),
    });
    expect(stats).toMatchObject({ total: 5, successful: 5, failed: 0 });

    const hits = await searched(service, 4);
    expect(hits[0]).toMatchObject({ level: 'warn', message: 'payment refused', timestamp: at(0), resourceId: service, traceId: 'trace-1', spanId: 'span-1', metadata: { user: { id: 42 } } });
    expect(hits[1]).toMatchObject({ level: 'info', message: 'order placed', metadata: { labels: { order: 'o-7' } } });
    expect(hits[2]).toMatchObject({ level: 'error', message: 'db down', traceId: 'trace-2', commit: 'abc123' });
    expect(hits[3]).toMatchObject({ id: retried, level: 'info', message: 'sent twice, kept once' });

    const rows = await stored(service, 4);
    expect(rows[0]).toMatchObject({ level: 'warn', message: 'payment refused', resource_id: service, trace_id: 'trace-1', span_id: 'span-1', metadata: { user: { id: 42 } } });
    expect(new Date(rows[0].timestamp).toISOString()).toBe(at(0));
    expect(rows[3]).toMatchObject({ id: retried, message: 'sent twice, kept once' });
  });

  it('takes the logs of a pino logger through pino-elasticsearch, the index naming the resource', async () => {
    const index = `pino-${randomUUID()}`;
    const stream = pinoElastic({ node: INGESTER_URL, index, auth: { apiKey: pipeline.ingestKey }, flushBytes: 100 });
    const logger = pino({ level: 'debug' }, stream);
    logger.info({ order: 'o-1' }, 'order placed');
    logger.error({ trace: { id: 'trace-9' } }, 'payment failed');
    logger.debug('cache warm');
    const inserted = once(stream, 'insert');
    stream.end();
    await inserted;

    // The three may share a millisecond: compared by message, not in the order of the ids.
    const byMessage = <T extends Record<string, any>>(items: T[]) => Object.fromEntries(items.map((item) => [item.message as string, item]));
    const hits = byMessage(await searched(index, 3));
    expect(Object.keys(hits).sort()).toEqual(['cache warm', 'order placed', 'payment failed']);
    expect(hits['order placed']).toMatchObject({ level: 'info', resourceId: index, metadata: { order: 'o-1', pid: process.pid } });
    expect(hits['payment failed']).toMatchObject({ level: 'error', traceId: 'trace-9' });
    expect(hits['cache warm']).toMatchObject({ level: 'debug' });
    const rows = byMessage(await stored(index, 3));
    expect(Object.keys(rows).sort()).toEqual(['cache warm', 'order placed', 'payment failed']);
    expect(rows['order placed']).toMatchObject({ level: 'info', resource_id: index, metadata: { order: 'o-1', hostname: expect.any(String) } });
    expect(rows['payment failed']).toMatchObject({ level: 'error', trace_id: 'trace-9' });
  });

  it('refuses a bad item on its own (the bulk helper drops it with the reason) and takes the others', async () => {
    const service = `partial-${randomUUID()}`;
    const now = new Date().toISOString();
    const dropped: { status: number; error: { type: string; reason: string } }[] = [];
    const stats = await client(pipeline.ingestKey).helpers.bulk({
      datasource: [
        { '@timestamp': now, message: 'good 1', level: 'info', service: { name: service } },
        { '@timestamp': now, message: 'bad', level: 'loud', service: { name: service } },
        { '@timestamp': now, level: 'info', service: { name: service } },
        { '@timestamp': now, message: 'good 2', level: 'info', service: { name: service } },
      ],
      onDocument: () => ({ index: { _index: 'logs' } }),
      onDrop: (item) => dropped.push({ status: item.status, error: item.error as (typeof dropped)[number]['error'] }),
    });
    expect(stats).toMatchObject({ total: 4, successful: 2, failed: 2 });
    expect(dropped).toEqual([
      { status: 400, error: { type: 'document_parsing_exception', reason: expect.stringContaining('level: expected one of') } },
      { status: 400, error: { type: 'document_parsing_exception', reason: 'message: the document has no message or msg [required]' } },
    ]);
    // Same timestamp: their order is the ids', which need not follow the request's.
    expect((await searched(service, 2)).map((h) => h.message).sort()).toEqual(['good 1', 'good 2']);
    expect(await stored(service, 2)).toHaveLength(2);
  });

  it('refuses a body beyond the limit (413) and a request without a valid key (401), taking nothing', async () => {
    const service = `refused-${randomUUID()}`;
    const doc = (message: string) => ({ '@timestamp': new Date().toISOString(), message, level: 'info', service: { name: service } });
    const tooLarge = client(pipeline.ingestKey).bulk({ operations: [{ index: {} }, doc('x'.repeat(300 * 1024))] });
    await expect(tooLarge).rejects.toMatchObject({ statusCode: 413 });
    for (const apiKey of [undefined, 'lf_not-a-key']) {
      const unauthorized = client(apiKey).bulk({ operations: [{ index: {} }, doc('no key')] });
      await expect(unauthorized).rejects.toBeInstanceOf(errors.ResponseError);
      await expect(unauthorized).rejects.toMatchObject({ statusCode: 401 });
    }
    // The read key may search, not send.
    await expect(client(pipeline.readKey).bulk({ operations: [{ index: {} }, doc('read key')] })).rejects.toMatchObject({ statusCode: 403 });
    // A good request after them is stored, and is all there is of this service.
    expect((await client(pipeline.ingestKey).bulk({ operations: [{ index: {} }, doc('accepted')] })).errors).toBe(false);
    expect((await searched(service, 1)).map((h) => h.message)).toEqual(['accepted']);
    expect((await stored(service, 1)).map((r: Record<string, unknown>) => r.message)).toEqual(['accepted']);
  });

  it('answers the cluster info clients ask for first, with the product header they check', async () => {
    const info = await client(pipeline.ingestKey).info();
    expect(info.version.number).toMatch(/^8\./);
    expect(await client().ping()).toBe(true);
  });
});
