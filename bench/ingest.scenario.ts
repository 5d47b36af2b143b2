import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createKafka, createLogger, ensureTopics, loadConfig, LogIdGenerator, logEventSchema, toLogRecord, uuidKeyPartitioner } from '@logflow/core';
import { OtlpExportLogsServiceRequest } from '@logflow/ingester';
import { freePorts } from '../test/free-ports.ts';
import { startRole } from '../test/roles.ts';

const example = JSON.parse(readFileSync(new URL('../test/fixtures/example_log.json', import.meta.url), 'utf8')) as Record<string, unknown>;
/** A topic of the bench's own, deleted at the end: the live topic (and its sinks) never sees bench logs. */
const TOPIC_ENV = { KAFKA_TOPIC: `logflow.bench.ingest.${randomUUID().slice(0, 8)}`, KAFKA_DLQ_TOPIC: `logflow.bench.ingest.${randomUUID().slice(0, 8)}.dlq` };
const config = loadConfig({ ...process.env, ...TOPIC_ENV });
const PORT = (await freePorts(1))[0]!;
const URL_BASE = `http://127.0.0.1:${PORT}`;

interface Figures {
  requestsPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  bytesPerSec: number;
}

async function load(connections: number, body: string | Buffer, durationSec: number, contentType = 'application/json', path = '/logs'): Promise<Figures> {
  const result = await autocannon({
    url: `${URL_BASE}${path}`,
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
    connections,
    duration: durationSec,
  });
  return {
    requestsPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    bytesPerSec: (Buffer.byteLength(body) * result.requests.total) / durationSec,
  };
}

/** `count` copies of the example log as an OTLP ExportLogsServiceRequest in protobuf, as an SDK or collector sends them. */
function otlpProtobufBatch(count: number): Buffer {
  const str = (stringValue: string) => ({ stringValue });
  const record = {
    timeUnixNano: String(Date.parse(example.timestamp as string) * 1e6),
    severityNumber: 17,
    severityText: 'ERROR',
    body: str(example.message as string),
    attributes: [{ key: 'parentResourceId', value: str('server-0987') }],
    traceId: Buffer.from('5b8efff798038103d269b633813fc60c', 'hex'),
    spanId: Buffer.from('eee19b7ec3c1b174', 'hex'),
  };
  const request = {
    resourceLogs: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: str('bench-otlp') },
            { key: 'commit', value: str(example.commit as string) },
          ],
        },
        scopeLogs: [{ scope: { name: 'bench' }, logRecords: Array.from({ length: count }, () => record) }],
      },
    ],
  };
  return Buffer.from(OtlpExportLogsServiceRequest.encode(OtlpExportLogsServiceRequest.fromObject(request)).finish());
}

/**
 * OTLP/HTTP protobuf against POST /logs: the same 1000 logs a request, the two endpoints
 * alternating in rounds so the machine's drift falls on both alike.
 */
async function otlpVersusNative(durationSec: number, nativeBody: string): Promise<{ native: Figures[]; otlp: Figures[] }> {
  const otlpBody = otlpProtobufBatch(1000);
  const rounds = 3;
  const each = Math.max(2, Math.round(durationSec / rounds));
  const native: Figures[] = [];
  const otlp: Figures[] = [];
  for (let round = 0; round < rounds; round++) {
    native.push(await load(4, nativeBody, each));
    otlp.push(await load(4, otlpBody, each, 'application/x-protobuf', '/v1/logs'));
  }
  return { native, otlp };
}

/** The engine's own limit: the same records produced straight to Kafka from one process (acks=all). */
async function rawKafka(batchSize: number, total: number): Promise<number> {
  const kafka = createKafka(config, createLogger({ logLevel: 'warn' }, 'bench'), 'logflow-bench-raw');
  await ensureTopics(kafka, config);
  const producer = kafka.producer({ createPartitioner: uuidKeyPartitioner });
  await producer.connect();
  const event = logEventSchema.parse({ ...example, resourceId: `bench-raw-${randomUUID()}` });
  const ids = new LogIdGenerator();
  const started = performance.now();
  const inFlight: Promise<unknown>[] = [];
  for (let sent = 0; sent < total; sent += batchSize) {
    const now = new Date().toISOString();
    const messages = Array.from({ length: batchSize }, () => {
      const record = toLogRecord(event, ids.next(), now);
      return { key: record.id, value: JSON.stringify(record) };
    });
    inFlight.push(producer.send({ topic: config.kafka.topic, acks: -1, messages }));
    if (inFlight.length >= 4) await inFlight.shift();
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - started) / 1000;
  await producer.disconnect();
  return total / seconds;
}

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/**
 * The Elasticsearch bulk API against POST /logs: the same 1000 logs per request, as a JSON
 * array to /logs and as index actions to /_bulk, in alternating rounds of the same length.
 */
async function bulkAgainstNative(rounds: number, roundSec: number): Promise<{ native: number; bulk: number; non2xx: number }> {
  const logs = Array.from({ length: 1000 }, () => ({ ...example, resourceId: 'bench-bulk' }));
  const bodies = {
    native: { path: '/logs', contentType: 'application/json', body: JSON.stringify(logs) },
    bulk: { path: '/_bulk', contentType: 'application/x-ndjson', body: `${logs.map((log) => `{"index":{}}\n${JSON.stringify(log)}`).join('\n')}\n` },
  };
  const totals = { native: 0, bulk: 0, non2xx: 0 };
  for (let round = 0; round < rounds; round++) {
    for (const name of ['native', 'bulk'] as const) {
      const { path, contentType, body } = bodies[name];
      const result = await autocannon({ url: `${URL_BASE}${path}`, method: 'POST', headers: { 'content-type': contentType }, body, connections: 4, duration: roundSec });
      totals[name] += result.requests.total * logs.length;
      totals.non2xx += result.non2xx + result.errors + result.timeouts;
    }
  }
  const seconds = rounds * roundSec;
  return { native: totals.native / seconds, bulk: totals.bulk / seconds, non2xx: totals.non2xx };
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export async function run(args: string[]): Promise<void> {
  const durationSec = Number(args[0] ?? 10);
  const kafka = createKafka(config, createLogger({ logLevel: 'warn' }, 'bench'), 'logflow-bench-topics');
  await ensureTopics(kafka, config);
  const ingester = await startRole('ingester', { ...TOPIC_ENV, INGESTER_PORT: String(PORT) });
  try {
    const one = JSON.stringify({ ...example, resourceId: 'bench-single' });
    const batch = (n: number) => JSON.stringify(Array.from({ length: n }, () => ({ ...example, resourceId: 'bench-batch' })));
    await load(10, one, 2); // warm-up: JIT, Kafka connections, topic metadata

    console.log(`\nIngest benchmark (${durationSec}s per scenario)\n`);
    const rows: string[][] = [['scenario', 'requests/s', 'logs/s', 'MiB/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors']];
    const single10 = await load(10, one, durationSec);
    const single100 = await load(100, one, durationSec);
    const body100 = batch(100);
    const batch100 = await load(10, body100, durationSec);
    const body1000 = batch(1000);
    const batch1000 = await load(4, body1000, durationSec);
    const add = (name: string, f: Figures, logsPerRequest: number) =>
      rows.push([name, fmt(f.requestsPerSec), fmt(f.requestsPerSec * logsPerRequest), fmt(f.bytesPerSec / 1024 / 1024, 1), fmt(f.p50, 1), fmt(f.p99, 1), String(f.non2xx), String(f.errors)]);
    add('single log, concurrency 10', single10, 1);
    add('single log, concurrency 100', single100, 1);
    add('batch of 100, concurrency 10', batch100, 100);
    add('batch of 1000, concurrency 4', batch1000, 1000);
    const bulk = await bulkAgainstNative(3, Math.max(2, Math.round(durationSec / 2)));
    const rss = peakRssMiB(ingester.process.pid!);
    const versus = await otlpVersusNative(durationSec, body1000);

    const raw = await rawKafka(1000, 200_000);
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const row of rows) console.log(row.map((cell, i) => cell.padStart(widths[i]!)).join('  '));
    console.log(`\nbaseline: kafkajs straight to Kafka, batches of 1000, acks=all: ${fmt(raw)} logs/s`);
    console.log(`ratio ingester (batches of 1000) / raw kafkajs: ${fmt((batch1000.requestsPerSec * 1000) / raw, 2)}`);
    console.log('(the ingester alone, no sinks; against the seed, measured in the same run: npm run bench -- system)');
    console.log(`\nElasticsearch bulk API against POST /logs, batches of 1000, concurrency 4, 3 alternating rounds each:`);
    console.log(`POST /logs ${fmt(bulk.native)} logs/s, POST /_bulk ${fmt(bulk.bulk)} logs/s, ratio _bulk / native: ${fmt(bulk.bulk / bulk.native, 2)} (non-2xx or errors: ${bulk.non2xx})`);
    console.log(`ingester peak RSS: ${fmt(rss)} MiB`);
    const logsPerSec = (figures: Figures[]) => (figures.reduce((sum, f) => sum + f.requestsPerSec, 0) / figures.length) * 1000;
    const failed = (figures: Figures[]) => figures.reduce((sum, f) => sum + f.non2xx + f.errors, 0);
    const [native, otlp] = [logsPerSec(versus.native), logsPerSec(versus.otlp)];
    console.log(`\nOTLP/HTTP protobuf vs POST /logs, batches of 1000, concurrency 4, ${versus.native.length} alternating rounds each:`);
    console.log(`  POST /logs (JSON): ${fmt(native)} logs/s (${failed(versus.native)} failed requests)`);
    console.log(`  POST /v1/logs (OTLP protobuf): ${fmt(otlp)} logs/s (${failed(versus.otlp)} failed requests)`);
    console.log(`  ratio OTLP / native: ${fmt(otlp / native, 2)} (target >= 0.9)`);
  } finally {
    await ingester.stop();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [config.kafka.topic, config.kafka.dlqTopic] }).catch(() => undefined);
    await admin.disconnect();
  }
}
