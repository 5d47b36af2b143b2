import { randomUUID } from 'node:crypto';
import protobuf from 'protobufjs';
import { compressSync } from 'snappy';
import { pino } from 'pino';
import { pinoLoki } from 'pino-loki';
import winston from 'winston';
import LokiTransport from 'winston-loki';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi } from './api-call.ts';
import { INGESTER_URL } from './roles.ts';
import { startShipperPipeline, type ShipperPipeline } from './shipper-pipeline.ts';

const PUSH_URL = `${INGESTER_URL}/loki/api/v1/push`;
const TRACE_ID = '5b8efff798038103d269b633813fc60c';

/** A protobuf PushRequest of one stream and one entry, as Promtail encodes it before snappy. */
function pushRequest(labels: string, line: string): Uint8Array {
  const { root } = protobuf.parse(`
    syntax = "proto3";
    message Timestamp { int64 seconds = 1; int32 nanos = 2; }
    message Entry { Timestamp timestamp = 1; string line = 2; }
    message Stream { string labels = 1; repeated Entry entries = 2; }
    message PushRequest { repeated Stream streams = 1; }
  `);
  const type = root.lookupType('PushRequest');
  return type.encode(type.fromObject({ streams: [{ labels, entries: [{ timestamp: { seconds: 1694764800 }, line }] }] })).finish();
}

describe("Loki's push API from winston-loki and pino-loki: searchable and stored in Postgres", () => {
  let pipeline: ShipperPipeline;
  const ingestKey = () => pipeline.ingestKey;
  const storedLogs = (service: string, count: number) => pipeline.stored(service, count);

  beforeAll(async () => {
    pipeline = await startShipperPipeline('loki');
  });

  afterAll(async () => {
    await pipeline?.close();
  });

  /** A winston logger shipping to LogFlow as to Loki; `json` picks the encoding (snappy protobuf otherwise). */
  async function logThroughWinston(service: string, json: boolean, auth: { basicAuth?: string; headers?: Record<string, string> }, emit: (logger: winston.Logger) => void) {
    const errors: unknown[] = [];
    const transport = new LokiTransport({
      host: INGESTER_URL,
      json,
      labels: { app: service, env: 'test' },
      replaceTimestamp: false,
      interval: 0.2,
      ...auth,
      onConnectionError: (error: unknown) => errors.push(error),
    });
    const logger = winston.createLogger({ transports: [transport] });
    emit(logger);
    await transport.flush();
    logger.close();
    expect(errors).toEqual([]);
  }

  it('maps and stores what winston-loki sends as snappy protobuf, with the key as the Basic password: level label, line, time, service', async () => {
    const service = `loki-protobuf-${randomUUID().slice(0, 8)}`;
    await logThroughWinston(service, false, { basicAuth: `tenant-1:${ingestKey()}` }, (logger) => {
      logger.error({ message: 'Failed to connect to DB', timestamp: '2023-09-15T08:00:00.123Z' });
      logger.warn({ message: 'retrying', timestamp: '2023-09-15T08:00:01.000Z' });
    });
    const { hits, rows } = await storedLogs(service, 2);
    expect(hits[0]).toMatchObject({
      level: 'error',
      // winston-loki's line: the message, then the rest of winston's info as JSON.
      message: 'Failed to connect to DB {"level":"error"}',
      timestamp: '2023-09-15T08:00:00.123Z',
      resourceId: service,
      metadata: { labels: { app: service, env: 'test', level: 'error' } },
    });
    expect(hits[1]).toMatchObject({ level: 'warn', message: 'retrying {"level":"warn"}', timestamp: '2023-09-15T08:00:01.000Z' });
    expect(rows[0]).toMatchObject({ level: 'error', message: 'Failed to connect to DB {"level":"error"}', resource_id: service });
    expect(rows[0].metadata).toEqual(hits[0]!.metadata);
    expect(new Date(rows[0].timestamp).toISOString()).toBe('2023-09-15T08:00:00.123Z');
  });

  it('maps and stores what winston-loki sends as JSON with a Bearer key: structured metadata and the trace id in it', async () => {
    const service = `loki-json-${randomUUID().slice(0, 8)}`;
    await logThroughWinston(service, true, { headers: { authorization: `Bearer ${ingestKey()}` } }, (logger) => {
      logger.info({ message: 'order placed', timestamp: '2023-09-15T08:00:00.500Z', orderId: 'A-17', trace_id: TRACE_ID });
    });
    const { hits, rows } = await storedLogs(service, 1);
    expect(hits[0]).toMatchObject({
      level: 'info',
      message: expect.stringMatching(/^order placed /),
      timestamp: '2023-09-15T08:00:00.500Z',
      resourceId: service,
      traceId: TRACE_ID,
      metadata: { labels: { app: service, level: 'info' }, structuredMetadata: { orderId: 'A-17', trace_id: TRACE_ID } },
    });
    expect(rows[0]).toMatchObject({ trace_id: TRACE_ID, resource_id: service });
    expect(rows[0].metadata).toEqual(hits[0]!.metadata);
  });

  it('maps and stores what pino-loki sends from a pino logger', async () => {
    const service = `loki-pino-${randomUUID().slice(0, 8)}`;
    const stream = pinoLoki({ host: INGESTER_URL, batching: false, labels: { app: service }, basicAuth: { username: 'tenant-1', password: ingestKey() } });
    const logger = pino({ level: 'debug' }, stream);
    logger.warn({ userId: 7 }, 'slow query');
    logger.debug('cache miss');
    const { hits, rows } = await storedLogs(service, 2);
    const byMessage = Object.fromEntries(hits.map((h) => [JSON.parse(h.message).msg, h]));
    expect(byMessage['slow query']).toMatchObject({ level: 'warn', resourceId: service, metadata: { labels: { app: service, level: 'warning' } } });
    expect(JSON.parse(byMessage['slow query']!.message)).toMatchObject({ userId: 7, msg: 'slow query' });
    expect(byMessage['cache miss']).toMatchObject({ level: 'debug' });
    expect(rows.map((r) => r.level).sort()).toEqual(['debug', 'warn']);
    stream.end();
  });

  it('stores the good entries of a push, refuses the bad one with a 400 naming it, a body over the limit (413) and a missing key (401)', async () => {
    const service = `loki-refused-${randomUUID().slice(0, 8)}`;
    const push = (...lines: string[]) => JSON.stringify({ streams: [{ stream: { app: service }, values: lines.map((line, i) => [`169476480000000000${i}`, line]) }] });
    const partial = await callApi(PUSH_URL, ingestKey(), { method: 'POST', body: push('first', '', 'third') });
    expect(partial.status).toBe(400);
    expect(partial.body.error).toMatchObject({ code: 'invalid_logs', message: expect.stringContaining('1 entry refused, 2 accepted: streams[0].values[1]: line: a log line is a non-empty string') });

    // 300 KiB of lines, a few hundred bytes once snappy-compressed: the limit (256 KiB here) counts what it inflates to.
    const tooLarge = await fetch(PUSH_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${ingestKey()}` },
      body: compressSync(pushRequest(`{app="${service}"}`, 'x'.repeat(300 * 1024))),
    });
    expect(tooLarge.status).toBe(413);
    const missing = await callApi(PUSH_URL, undefined, { method: 'POST', body: push('no key') });
    expect(missing.status).toBe(401);

    const { hits, rows } = await storedLogs(service, 2);
    // Both in the same millisecond: compared as sets.
    expect(hits.map((h) => h.message).sort()).toEqual(['first', 'third']);
    expect(rows.map((r) => r.message).sort()).toEqual(['first', 'third']);
  });
});
