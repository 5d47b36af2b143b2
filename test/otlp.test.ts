import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as OtlpJsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi } from './api-call.ts';
import { INGESTER_URL } from './roles.ts';
import { startShipperPipeline, type ShipperPipeline } from './shipper-pipeline.ts';

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const SPAN_ID = 'eee19b7ec3c1b174';
const LOGS_URL = `${INGESTER_URL}/v1/logs`;

/** An application logging through the OpenTelemetry JS SDK: its resource, one logger, an exporter. */
async function logThroughSdk(exporter: LogRecordExporter, service: string, emit: (logger: ReturnType<LoggerProvider['getLogger']>) => void): Promise<void> {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'service.version': '2.4.1', 'deployment.environment.name': 'test' }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  emit(provider.getLogger('checkout-handler', '0.3.0'));
  await provider.forceFlush();
  await provider.shutdown();
}

describe('OTLP/HTTP logs from the OpenTelemetry JS SDK: searchable and stored in Postgres', () => {
  let pipeline: ShipperPipeline;
  const ingestKey = () => pipeline.ingestKey;
  const storedLogs = (service: string, count: number) => pipeline.stored(service, count);

  beforeAll(async () => {
    pipeline = await startShipperPipeline('otlp');
  });

  afterAll(async () => {
    await pipeline?.close();
  });

  for (const [encoding, Exporter] of [
    ['protobuf', OtlpProtobufExporter],
    ['JSON', OtlpJsonExporter],
  ] as const) {
    it(`maps and stores what the SDK sends as OTLP ${encoding}: severity, body, time, trace context, resource, attributes`, async () => {
      const service = `otlp-${encoding.toLowerCase()}-${randomUUID().slice(0, 8)}`;
      const exporter = new Exporter({ url: LOGS_URL, headers: { authorization: `Bearer ${ingestKey()}` } });
      const spanContext = { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 };
      await logThroughSdk(exporter, service, (logger) => {
        logger.emit({
          timestamp: new Date('2023-09-15T08:00:00.123Z'),
          severityNumber: SeverityNumber.ERROR,
          severityText: 'ERROR',
          body: 'Failed to connect to DB',
          attributes: { 'db.system': 'postgresql', retries: 3 },
          context: traceContext(spanContext),
        });
        logger.emit({ timestamp: new Date('2023-09-15T08:00:01Z'), severityNumber: SeverityNumber.WARN2, body: { order: 'A-17', items: [1, 2] } });
      });

      const { hits, rows } = await storedLogs(service, 2);
      expect(hits[0]).toMatchObject({
        level: 'error',
        message: 'Failed to connect to DB',
        timestamp: '2023-09-15T08:00:00.123Z',
        resourceId: service,
        traceId: TRACE_ID,
        spanId: SPAN_ID,
        commit: '2.4.1',
        metadata: {
          severityNumber: 17,
          severityText: 'ERROR',
          attributes: { 'db.system': 'postgresql', retries: 3 },
          resource: { attributes: { 'deployment.environment.name': 'test' } },
          scope: { name: 'checkout-handler', version: '0.3.0' },
          flags: 1,
        },
      });
      expect(hits[1]).toMatchObject({ level: 'warn', message: '{"order":"A-17","items":[1,2]}', metadata: { body: { order: 'A-17', items: [1, 2] } } });
      expect(rows[0]).toMatchObject({ level: 'error', message: 'Failed to connect to DB', resource_id: service, trace_id: TRACE_ID, span_id: SPAN_ID, commit: '2.4.1' });
      expect(rows[0].metadata).toEqual(hits[0]!.metadata);
      expect(new Date(rows[0].timestamp).toISOString()).toBe('2023-09-15T08:00:00.123Z');
      expect(rows[1]).toMatchObject({ level: 'warn', metadata: { body: { order: 'A-17', items: [1, 2] } } });
    });
  }

  it('stores the good records of a request and names the bad one in partialSuccess', async () => {
    const service = `otlp-partial-${randomUUID().slice(0, 8)}`;
    const record = (body: string, severityNumber = 9) => ({ timeUnixNano: '1694764800000000000', severityNumber, body: { stringValue: body } });
    const answer = await callApi(LOGS_URL, ingestKey(), {
      method: 'POST',
      body: JSON.stringify({
        resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeLogs: [{ logRecords: [record('first'), record('bad', 42), record('third')] }] }],
      }),
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ partialSuccess: { rejectedLogRecords: '1', errorMessage: expect.stringContaining('logRecords[1]: severityNumber: expected 0 to 24') } });
    const { hits, rows } = await storedLogs(service, 2);
    expect(hits.map((h) => h.message).sort()).toEqual(['first', 'third']);
    expect(rows.map((r) => r.message).sort()).toEqual(['first', 'third']);
  });

  it('refuses a body over the limit after decompression (413) and a missing or unknown key (401), storing nothing', async () => {
    const service = `otlp-refused-${randomUUID().slice(0, 8)}`;
    const request = (body: string) =>
      JSON.stringify({
        resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeLogs: [{ logRecords: [{ body: { stringValue: body } }] }] }],
      });
    // 300 KiB of JSON, a few hundred bytes gzipped: the limit (256 KiB here) counts what it inflates to.
    const tooLarge = await callApi(LOGS_URL, ingestKey(), { method: 'POST', body: gzipSync(request('x'.repeat(300 * 1024))), headers: { 'content-encoding': 'gzip' } });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({ code: 8, message: expect.stringMatching(/body/i) });
    const missing = await callApi(LOGS_URL, undefined, { method: 'POST', body: request('no key') });
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ code: 16 });
    const unknown = await callApi(LOGS_URL, 'lf_not_a_key_at_all', { method: 'POST', body: request('unknown key') });
    expect(unknown.status).toBe(401);
    const stored = await callApi(LOGS_URL, ingestKey(), { method: 'POST', body: request('with the key') });
    expect(stored.status).toBe(200);
    const { hits } = await storedLogs(service, 1);
    expect(hits.map((h) => h.message)).toEqual(['with the key']);
  });
});

/** The active context of a span, as an instrumented request handler would pass it. */
function traceContext(spanContext: { traceId: string; spanId: string; traceFlags: number }) {
  return trace.setSpanContext(ROOT_CONTEXT, spanContext);
}
