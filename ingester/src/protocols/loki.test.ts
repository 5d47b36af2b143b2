import { compressSync } from 'snappy';
import { describe, expect, it } from 'vitest';
import { AppError } from '@logflow/core';
import { decodeLokiProtobuf, mapLokiPush, parseLabels } from './loki.ts';
import { PushRequest } from './loki-proto.ts';

const NS = '1694764800123456789';
const AT = '2023-09-15T08:00:00.123Z';

describe('Loki label sets', () => {
  it('are read with spaces, escapes and any order', () => {
    expect(parseLabels('{job="api", level="warn"}')).toEqual({ job: 'api', level: 'warn' });
    expect(parseLabels(' { path="C:\\\\logs\\"x\\"",line="a\\nb" } ')).toEqual({ path: 'C:\\logs"x"', line: 'a\nb' });
    expect(parseLabels('{}')).toEqual({});
  });

  it('that are broken answer 400 saying what is wrong', () => {
    for (const [text, why] of [
      ['job="api"', 'expected {name="value"'],
      ['{job=api}', 'expected ="value" after job'],
      ['{job="api', 'not closed'],
      ['{job="api"', 'expected , or } after the value of job'],
      ['{job="a\\q"}', 'unknown escape'],
      ['{job="a" level="b"}', 'expected , or }'],
      ['{job="a",job="b"}', 'given twice'],
      ['{1job="a"}', 'expected a label name'],
      ['{job="a"} x', 'text after the closing }'],
    ] as const) {
      const refused = (() => {
        try {
          parseLabels(text);
        } catch (error) {
          return error;
        }
      })();
      expect(refused, text).toBeInstanceOf(AppError);
      expect((refused as AppError).status).toBe(400);
      expect((refused as AppError).message, text).toContain(why);
    }
  });
});

describe('mapping a Loki push', () => {
  it('takes the service from the labels Loki reads it from, the level from structured metadata or labels, and keeps both whole', () => {
    const mapped = mapLokiPush({
      streams: [
        { stream: { job: 'varlogs', app: 'checkout', level: 'WARNING' }, values: [[NS, 'disk almost full']] },
        { stream: { service_name: 'billing', job: 'x' }, values: [[NS, 'paid', { detected_level: 'error', trace_id: '5b8efff798038103d269b633813fc60c', span_id: 'eee19b7ec3c1b174' }]] },
        { stream: {}, values: [['1', 'no labels']] },
      ],
    });
    expect(mapped.errors).toEqual([]);
    expect(mapped.locations).toEqual(['streams[0].values[0]', 'streams[1].values[0]', 'streams[2].values[0]']);
    expect(mapped.logs).toEqual([
      {
        level: 'warn',
        message: 'disk almost full',
        timestamp: AT,
        resourceId: 'checkout',
        traceId: undefined,
        spanId: undefined,
        metadata: { labels: { job: 'varlogs', app: 'checkout', level: 'WARNING' } },
      },
      {
        level: 'error',
        message: 'paid',
        timestamp: AT,
        resourceId: 'billing',
        traceId: '5b8efff798038103d269b633813fc60c',
        spanId: 'eee19b7ec3c1b174',
        metadata: { labels: { service_name: 'billing', job: 'x' }, structuredMetadata: { detected_level: 'error', trace_id: '5b8efff798038103d269b633813fc60c', span_id: 'eee19b7ec3c1b174' } },
      },
      { level: 'info', message: 'no labels', timestamp: '1970-01-01T00:00:00.000Z', resourceId: undefined, traceId: undefined, spanId: undefined, metadata: { labels: {} } },
    ]);
  });

  it('refuses an entry that cannot be a log on its own, naming where and why, and maps the others', () => {
    const mapped = mapLokiPush({
      streams: [
        { stream: { app: 'a' }, values: [[NS, ''], [12, 'x'], [NS, 'ok'], [NS], [NS, 'x', { n: 1 }], ['1e18', 'x']] },
        { stream: { app: 1 }, values: [[NS, 'labels broken']] },
      ],
    });
    expect(mapped.logs.map((l) => l.message)).toEqual(['ok']);
    expect(mapped.errors.map((e) => [e.location, e.rule])).toEqual([
      ['streams[0].values[0]', 'required'],
      ['streams[0].values[1]', 'invalid_format'],
      ['streams[0].values[3]', 'invalid_type'],
      ['streams[0].values[4]', 'invalid_type'],
      ['streams[0].values[5]', 'invalid_format'],
      ['streams[1].values[0]', 'invalid_type'],
    ]);
    expect(mapped.errors[5]!.message).toBe('stream.app: expected a string');
  });

  it('answers 400 for a stream without an array of entries', () => {
    expect(() => mapLokiPush({ streams: [{ stream: {}, values: 'x' }] })).toThrow(/streams\[0\]\.values: expected an array/);
  });
});

describe('decoding a snappy-compressed protobuf push', () => {
  const encode = (message: object) => compressSync(Buffer.from(PushRequest.encode(PushRequest.fromObject(message)).finish()));

  it('brings it to the JSON shape: labels parsed, nanoseconds as a decimal string, structured metadata as an object', () => {
    const body = encode({
      streams: [
        {
          labels: '{app="checkout", level="info"}',
          entries: [
            { timestamp: { seconds: 1694764800, nanos: 123456789 }, line: 'a', structuredMetadata: [{ name: 'trace_id', value: 'abc' }] },
            { timestamp: { seconds: 1694764800 }, line: 'b' },
          ],
        },
      ],
    });
    expect(decodeLokiProtobuf(body, 1024)).toEqual({
      streams: [
        {
          stream: { app: 'checkout', level: 'info' },
          values: [
            [NS, 'a', { trace_id: 'abc' }],
            ['1694764800000000000', 'b'],
          ],
        },
      ],
    });
  });

  it('refuses a push that inflates past the body limit before inflating it, and bytes that are not snappy or not a push', () => {
    const big = encode({ streams: [{ labels: '{}', entries: [{ line: 'x'.repeat(5000) }] }] });
    expect(big.length).toBeLessThan(1024);
    expect(() => decodeLokiProtobuf(big, 1024)).toThrow(expect.objectContaining({ status: 413, code: 'body_too_large' }));
    expect(() => decodeLokiProtobuf(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 1024)).toThrow(expect.objectContaining({ status: 400, code: 'invalid_snappy' }));
    expect(() => decodeLokiProtobuf(Buffer.from('not snappy at all'), 1024)).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => decodeLokiProtobuf(compressSync(Buffer.from([0x0a, 0xff, 0xff])), 1024)).toThrow(expect.objectContaining({ status: 400, code: 'invalid_protobuf' }));
  });
});
