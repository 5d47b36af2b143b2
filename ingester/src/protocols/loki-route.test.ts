import { gzipSync } from 'node:zlib';
import { compressSync } from 'snappy';
import { describe, expect, it } from 'vitest';
import { AppError } from '@logflow/core';
import { PushRequest } from './loki-proto.ts';
import { build } from '../test-helper.ts';

const URL = '/loki/api/v1/push';
const NS = '1694764800000000000';
const protobufPush = (...lines: string[]) =>
  compressSync(
    Buffer.from(
      PushRequest.encode(PushRequest.fromObject({ streams: [{ labels: '{app="checkout", level="error"}', entries: lines.map((line) => ({ timestamp: { seconds: 1694764800 }, line })) }] })).finish(),
    ),
  );
const jsonPush = (...lines: string[]) => ({ streams: [{ stream: { app: 'checkout' }, values: lines.map((line) => [NS, line]) }] });

describe('POST /loki/api/v1/push', () => {
  it('takes snappy-compressed protobuf, answers 204 with no body once Kafka has every entry', async () => {
    const { app, producer, accepted } = await build();
    const answer = await app.inject({ method: 'POST', url: URL, headers: { 'content-type': 'application/x-protobuf' }, payload: protobufPush('a', 'b') });
    expect(answer.statusCode).toBe(204);
    expect(answer.body).toBe('');
    expect(producer.sent.map((r) => [r.message, r.level, r.resourceId, r.timestamp, r.metadata])).toEqual([
      ['a', 'error', 'checkout', '2023-09-15T08:00:00.000Z', { labels: { app: 'checkout', level: 'error' } }],
      ['b', 'error', 'checkout', '2023-09-15T08:00:00.000Z', { labels: { app: 'checkout', level: 'error' } }],
    ]);
    expect(accepted).toEqual([2]);
  });

  it('takes JSON, gzip or not', async () => {
    const { app, producer } = await build();
    expect((await app.inject({ method: 'POST', url: URL, payload: jsonPush('plain') })).statusCode).toBe(204);
    const gzipped = await app.inject({ method: 'POST', url: URL, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, payload: gzipSync(JSON.stringify(jsonPush('gzipped'))) });
    expect(gzipped.statusCode).toBe(204);
    expect(producer.sent.map((r) => r.message)).toEqual(['plain', 'gzipped']);
  });

  it('takes the valid entries and answers 400 naming the refused ones, counting both', async () => {
    const { app, producer } = await build();
    const push = {
      streams: [
        {
          stream: { app: 'a' },
          values: [
            [NS, 'kept'],
            [NS, ''],
            [NS, 'x'.repeat(70_000)],
          ],
        },
      ],
    };
    const answer = await app.inject({ method: 'POST', url: URL, payload: push });
    expect(answer.statusCode).toBe(400);
    const { error } = answer.json();
    expect(error.code).toBe('invalid_logs');
    expect(error.message).toMatch(/^2 entries refused, 1 accepted: streams\[0\]\.values\[1\]: line: a log line is a non-empty string; streams\[0\]\.values\[2\]: message: /);
    expect(error.details).toEqual({ refused: 2, accepted: 1 });
    expect(producer.sent.map((r) => r.message)).toEqual(['kept']);
  });

  it('refuses a push that is not one with 400, naming the field', async () => {
    const { app, producer } = await build();
    const noStreams = await app.inject({ method: 'POST', url: URL, payload: { stream: {} } });
    expect(noStreams.statusCode).toBe(400);
    expect(noStreams.json().error.message).toMatch(/streams/);
    const badLabels = compressSync(Buffer.from(PushRequest.encode(PushRequest.fromObject({ streams: [{ labels: 'app=x', entries: [{ line: 'x' }] }] })).finish()));
    const broken = await app.inject({ method: 'POST', url: URL, headers: { 'content-type': 'application/x-protobuf' }, payload: badLabels });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.code).toBe('invalid_labels');
    expect(producer.sent).toEqual([]);
  });

  it('answers 503 with Retry-After when Kafka cannot take the entries, so the client retries them', async () => {
    const { app, producer } = await build();
    producer.failWith = new AppError(503, 'kafka_unavailable', 'Kafka is not reachable', undefined, { 'retry-after': '1' });
    const answer = await app.inject({ method: 'POST', url: URL, payload: jsonPush('a') });
    expect(answer.statusCode).toBe(503);
    expect(answer.headers['retry-after']).toBe('1');
  });

  it('needs an ingest key, taken as Bearer or as the password of Basic (what Promtail and Alloy send)', async () => {
    const { app, keys } = await build({}, { auth: true });
    const key = 'lf_ingest';
    const readKey = 'lf_read';
    keys.add(key, 'ingest');
    keys.add(readKey, 'read');
    const basic = (password: string) => `Basic ${Buffer.from(`tenant:${password}`).toString('base64')}`;
    expect((await app.inject({ method: 'POST', url: URL, payload: jsonPush('a') })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: URL, headers: { authorization: basic(readKey) }, payload: jsonPush('a') })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: URL, headers: { authorization: basic(key) }, payload: jsonPush('a') })).statusCode).toBe(204);
    expect((await app.inject({ method: 'POST', url: URL, headers: { authorization: `Bearer ${key}` }, payload: jsonPush('b') })).statusCode).toBe(204);
  });
});
