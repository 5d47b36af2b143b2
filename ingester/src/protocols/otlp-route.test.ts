import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AppError } from '@logflow/core';
import { ExportLogsServiceRequest, ExportLogsServiceResponse, Status } from './otlp-proto.ts';
import { build } from '../test-helper.ts';

const v1 = { ExportLogsServiceRequest, ExportLogsServiceResponse };

const PROTOBUF = { 'content-type': 'application/x-protobuf' };
const JSON_TYPE = { 'content-type': 'application/json' };

const request = (...messages: string[]) => ({
  resourceLogs: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
      scopeLogs: [
        {
          logRecords: messages.map((message) => ({
            timeUnixNano: '1694764800000000000',
            severityNumber: message === 'bad' ? 99 : 9,
            body: { stringValue: message },
          })),
        },
      ],
    },
  ],
});
const protobufBody = (...messages: string[]) => Buffer.from(v1.ExportLogsServiceRequest.encode(request(...messages)).finish());
const decodeResponse = (bytes: Buffer) => v1.ExportLogsServiceResponse.toObject(v1.ExportLogsServiceResponse.decode(bytes), { longs: Number });

describe('POST /v1/logs', () => {
  it('takes protobuf, answers an empty ExportLogsServiceResponse in protobuf, and hands the logs to Kafka', async () => {
    const { app, producer, accepted } = await build();
    const answer = await app.inject({ method: 'POST', url: '/v1/logs', headers: PROTOBUF, payload: protobufBody('a', 'b') });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toBe('application/x-protobuf');
    expect(answer.rawPayload.length).toBe(0);
    expect(producer.sent.map((r) => [r.message, r.level, r.resourceId, r.timestamp])).toEqual([
      ['a', 'info', 'checkout', '2023-09-15T08:00:00.000Z'],
      ['b', 'info', 'checkout', '2023-09-15T08:00:00.000Z'],
    ]);
    expect(accepted).toEqual([2]);
  });

  it('takes OTLP/JSON and gzip, answering in JSON', async () => {
    const { app, producer } = await build();
    const answer = await app.inject({ method: 'POST', url: '/v1/logs', headers: { ...JSON_TYPE, 'content-encoding': 'gzip' }, payload: gzipSync(JSON.stringify(request('a'))) });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(answer.json()).toEqual({});
    const gzippedProtobuf = await app.inject({ method: 'POST', url: '/v1/logs', headers: { ...PROTOBUF, 'content-encoding': 'gzip' }, payload: gzipSync(protobufBody('b')) });
    expect(gzippedProtobuf.statusCode).toBe(200);
    expect(producer.sent.map((r) => r.message)).toEqual(['a', 'b']);
  });

  it('accepts the good records and reports the refused ones in partialSuccess, in either encoding', async () => {
    const { app, producer } = await build();
    const proto = await app.inject({ method: 'POST', url: '/v1/logs', headers: PROTOBUF, payload: protobufBody('a', 'bad', 'c', '') });
    expect(proto.statusCode).toBe(200);
    const { partialSuccess } = decodeResponse(proto.rawPayload);
    expect(partialSuccess.rejectedLogRecords).toBe(2);
    expect(partialSuccess.errorMessage).toContain('resourceLogs[0].scopeLogs[0].logRecords[1]: severityNumber: expected 0 to 24');
    expect(partialSuccess.errorMessage).toContain('logRecords[3]: body: a log record needs a body');
    const json = await app.inject({ method: 'POST', url: '/v1/logs', headers: JSON_TYPE, payload: request('x'.repeat(70_000), 'd') });
    expect(json.json()).toEqual({ partialSuccess: { rejectedLogRecords: '1', errorMessage: expect.stringContaining('logRecords[0]: message: ') } });
    expect(producer.sent.map((r) => r.message)).toEqual(['a', 'c', 'd']);
  });

  it('answers 400 with a google.rpc.Status for a body that is no ExportLogsServiceRequest', async () => {
    const { app, producer } = await build();
    const proto = await app.inject({ method: 'POST', url: '/v1/logs', headers: PROTOBUF, payload: Buffer.from('not protobuf at all') });
    expect(proto.statusCode).toBe(400);
    expect(Status.toObject(Status.decode(proto.rawPayload))).toMatchObject({ code: 3, message: expect.stringContaining('not an OTLP ExportLogsServiceRequest') });
    const json = await app.inject({ method: 'POST', url: '/v1/logs', headers: JSON_TYPE, payload: { resourceLogs: 'nope' } });
    expect(json.statusCode).toBe(400);
    expect(json.json()).toEqual({ code: 3, message: expect.stringContaining('body.resourceLogs: expected an array of ResourceLogs') });
    expect(producer.sent).toEqual([]);
  });

  it('answers 413 for a body over the limit and for more records than a batch may hold', async () => {
    const { app } = await build({ INGEST_BODY_LIMIT_BYTES: '2000', INGEST_MAX_BATCH_ITEMS: '3' });
    const big = await app.inject({ method: 'POST', url: '/v1/logs', headers: PROTOBUF, payload: protobufBody('x'.repeat(3000)) });
    expect(big.statusCode).toBe(413);
    expect(Status.toObject(Status.decode(big.rawPayload)).message).toMatch(/body/i);
    const many = await app.inject({ method: 'POST', url: '/v1/logs', headers: JSON_TYPE, payload: request('a', 'b', 'c', 'd') });
    expect(many.statusCode).toBe(413);
    expect(many.json().message).toContain('at most 3 per request');
  });

  it('answers 503 with Retry-After (retryable, per the OTLP spec) when Kafka does not take the logs', async () => {
    const { app, producer } = await build();
    producer.failWith = new AppError(503, 'kafka_unavailable', 'Kafka is unreachable; nothing was stored', undefined, { 'retry-after': '5' });
    const answer = await app.inject({ method: 'POST', url: '/v1/logs', headers: PROTOBUF, payload: protobufBody('a') });
    expect(answer.statusCode).toBe(503);
    expect(answer.headers['retry-after']).toBe('5');
    expect(Status.toObject(Status.decode(answer.rawPayload))).toMatchObject({ code: 14, message: expect.stringContaining('Kafka is unreachable') });
  });

  it('needs an ingest key when keys are on: 401 as a google.rpc.Status, 200 with the key', async () => {
    const { app, keys, producer } = await build({}, { auth: true });
    const missing = await app.inject({ method: 'POST', url: '/v1/logs', headers: PROTOBUF, payload: protobufBody('a') });
    expect(missing.statusCode).toBe(401);
    expect(Status.toObject(Status.decode(missing.rawPayload))).toMatchObject({ code: 16 });
    keys.add('lf_read', 'read');
    keys.add('lf_ingest', 'ingest');
    const wrongRole = await app.inject({ method: 'POST', url: '/v1/logs', headers: { ...JSON_TYPE, authorization: 'Bearer lf_read' }, payload: request('a') });
    expect(wrongRole.statusCode).toBe(403);
    const ok = await app.inject({ method: 'POST', url: '/v1/logs', headers: { ...PROTOBUF, authorization: 'Bearer lf_ingest' }, payload: protobufBody('a') });
    expect(ok.statusCode).toBe(200);
    expect(producer.sent).toHaveLength(1);
  });
});
