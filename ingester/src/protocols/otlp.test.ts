import { describe, expect, it } from 'vitest';
import { ExportLogsServiceRequest } from './otlp-proto.ts';
import { decodeOtlpProtobuf, levelOf, mapOtlpLogs } from './otlp.ts';

const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';
const str = (stringValue: string) => ({ stringValue });
const kv = (key: string, value: unknown) => ({ key, value });

/** One request as OTLP/JSON writes it (ids in hex, 64-bit integers as decimal text). */
function jsonRequest(records: Record<string, unknown>[], resource = [kv('service.name', str('checkout')), kv('service.version', str('1.2.3')), kv('host.name', str('web-1'))]) {
  return {
    resourceLogs: [
      {
        resource: { attributes: resource },
        scopeLogs: [{ scope: { name: 'orders', version: '0.1.0' }, logRecords: records }],
      },
    ],
  };
}

const record = (extra: Record<string, unknown> = {}) => ({
  timeUnixNano: '1694764800123456789',
  observedTimeUnixNano: '1694764800123456789',
  severityNumber: 17,
  severityText: 'ERROR',
  body: str('Failed to connect to DB'),
  attributes: [kv('http.method', str('GET')), kv('retries', { intValue: '3' })],
  traceId: TRACE,
  spanId: SPAN,
  ...extra,
});

describe('OTLP logs → LogFlow logs', () => {
  it('maps severity, body, time, ids, service.name/version and keeps the rest in metadata', () => {
    const { logs, errors } = mapOtlpLogs(jsonRequest([record()]), 0);
    expect(errors).toEqual([]);
    expect(logs).toEqual([
      {
        level: 'error',
        message: 'Failed to connect to DB',
        timestamp: '2023-09-15T08:00:00.123Z',
        resourceId: 'checkout',
        traceId: TRACE,
        spanId: SPAN,
        commit: '1.2.3',
        metadata: {
          severityNumber: 17,
          severityText: 'ERROR',
          attributes: { 'http.method': 'GET', retries: 3 },
          resource: { attributes: { 'host.name': 'web-1' } },
          scope: { name: 'orders', version: '0.1.0' },
        },
      },
    ]);
  });

  it('decodes the same request from protobuf (ids as bytes, times as fixed64) to the same log', () => {
    const proto = jsonRequest([
      {
        ...record(),
        timeUnixNano: 1694764800123456789n.toString(),
        observedTimeUnixNano: undefined,
        traceId: Buffer.from(TRACE, 'hex'),
        spanId: Buffer.from(SPAN, 'hex'),
        attributes: [kv('http.method', str('GET')), kv('retries', { intValue: 3 })],
      },
    ]);
    const bytes = ExportLogsServiceRequest.encode(proto).finish();
    expect(mapOtlpLogs(decodeOtlpProtobuf(bytes), 0)).toEqual(mapOtlpLogs(jsonRequest([record()]), 0));
  });

  it('maps each OTel severity number range to a level, then the text, then info', () => {
    expect([1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24].map((n) => levelOf(n, undefined))).toEqual([
      'trace',
      'trace',
      'debug',
      'debug',
      'info',
      'info',
      'warn',
      'warn',
      'error',
      'error',
      'fatal',
      'fatal',
    ]);
    expect(levelOf(0, 'Warning')).toBe('warn');
    expect(levelOf(undefined, 'CRITICAL')).toBe('fatal');
    expect(levelOf('SEVERITY_NUMBER_WARN2', undefined)).toBe('warn');
    expect(levelOf(0, 'chatty')).toBe('info');
    expect(levelOf(undefined, undefined)).toBe('info');
  });

  it('keeps a structured body: the message is its JSON text, metadata.body the structure', () => {
    const body = { kvlistValue: { values: [kv('user', str('ada')), kv('items', { arrayValue: { values: [{ intValue: '1' }, { doubleValue: 2.5 }, { boolValue: true }] } })] } };
    const [log] = mapOtlpLogs(jsonRequest([record({ body })]), 0).logs;
    expect(log!.message).toBe('{"user":"ada","items":[1,2.5,true]}');
    expect(log!.metadata.body).toEqual({ user: 'ada', items: [1, 2.5, true] });
  });

  it('uses observedTimeUnixNano when timeUnixNano is 0, and the receipt time when neither is set', () => {
    const [observed, neither] = mapOtlpLogs(
      jsonRequest([record({ timeUnixNano: '0', observedTimeUnixNano: '1694764800000000000' }), record({ timeUnixNano: undefined, observedTimeUnixNano: undefined })]),
      Date.parse('2026-01-01T00:00:00Z'),
    ).logs;
    expect(observed!.timestamp).toBe('2023-09-15T08:00:00.000Z');
    expect(neither!.timestamp).toBe('2026-01-01T00:00:00.000Z');
  });

  it('takes a commit attribute over service.version, which then stays in metadata', () => {
    const [log] = mapOtlpLogs(jsonRequest([record({ attributes: [kv('commit', str('5e5342f'))] })]), 0).logs;
    expect(log!.commit).toBe('5e5342f');
    expect(log!.metadata).toMatchObject({ resource: { attributes: { 'host.name': 'web-1', 'service.version': '1.2.3' } } });
    expect(log!.metadata).not.toHaveProperty('attributes');
  });

  it('refuses a record it cannot map, naming where and why, and maps the others', () => {
    const { logs, locations, errors } = mapOtlpLogs(jsonRequest([record(), record({ traceId: 'xyz' }), record({ body: undefined }), record({ severityNumber: 99 }), record()]), 0);
    expect(logs).toHaveLength(2);
    expect(locations).toEqual(['resourceLogs[0].scopeLogs[0].logRecords[0]', 'resourceLogs[0].scopeLogs[0].logRecords[4]']);
    expect(errors).toEqual([
      expect.objectContaining({ location: 'resourceLogs[0].scopeLogs[0].logRecords[1]', field: 'traceId', rule: 'invalid_format' }),
      expect.objectContaining({ location: 'resourceLogs[0].scopeLogs[0].logRecords[2]', field: 'body', rule: 'required' }),
      expect.objectContaining({ location: 'resourceLogs[0].scopeLogs[0].logRecords[3]', field: 'severityNumber', rule: 'invalid_value' }),
    ]);
  });

  it('refuses a time beyond any date on its own (a 4xx item, not a server error)', () => {
    const { logs, errors } = mapOtlpLogs(jsonRequest([record({ timeUnixNano: 1e30 }), record({ observedTimeUnixNano: 1e30, timeUnixNano: undefined }), record()]), 0);
    expect(logs).toHaveLength(1);
    expect(errors).toEqual([expect.objectContaining({ field: 'timeUnixNano', rule: 'out_of_range' }), expect.objectContaining({ field: 'observedTimeUnixNano', rule: 'out_of_range' })]);
  });

  it('refuses a __proto__ attribute key instead of letting it change the object', () => {
    const { logs, errors } = mapOtlpLogs(jsonRequest([record({ attributes: [kv('__proto__', str('x'))] })]), 0);
    expect(logs).toEqual([]);
    expect(errors).toEqual([expect.objectContaining({ rule: 'forbidden_key' })]);
  });

  it('refuses nesting deeper than metadata allows', () => {
    let value: unknown = str('deep');
    for (let i = 0; i < 30; i++) value = { kvlistValue: { values: [kv('k', value)] } };
    const { errors } = mapOtlpLogs(jsonRequest([record({ attributes: [kv('nested', value)] })]), 0);
    expect(errors).toEqual([expect.objectContaining({ rule: 'max_depth' })]);
  });

  it('refuses a request whose structure is broken (400)', () => {
    expect(() => mapOtlpLogs({ resourceLogs: [{ scopeLogs: 'nope' }] }, 0)).toThrow(/resourceLogs\[0\]\.scopeLogs: expected an array/);
    expect(() => decodeOtlpProtobuf(Buffer.from('not protobuf at all'))).toThrow(/not an OTLP ExportLogsServiceRequest/);
  });
});
