import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createKafka, createLogger, ensureTopics, loadConfig, LogIdGenerator, logEventSchema, toLogRecord, uuidKeyPartitioner } from '@logflow/core';
import { mapElasticDocument, mapOtlpLogs, OtlpExportLogsServiceRequest } from '@logflow/ingester';
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

interface Body {
  path: string;
  contentType: string;
  body: string | Buffer;
}

/** Per body: logs/s over every round, and the requests that failed. */
type Rates = Record<'native' | 'sameContent' | 'protocol', { logsPerSec: number; failed: number }>;

/**
 * A protocol against POST /logs, 1,000 logs a request, 4 clients, the three bodies alternating
 * in rounds of the same length so the machine's drift falls on all alike: `native`, the
 * example log as a JSON array (the issue's comparison); `sameContent`, a JSON array of the very
 * logs the protocol's documents are stored as (made by the protocol's own mapping: the same
 * message, level, ids and metadata), so both endpoints produce the same records to Kafka; and
 * the protocol's own body.
 */
async function versusNative(bodies: Record<keyof Rates, Body>, rounds: number, roundSec: number): Promise<Rates> {
  const rates = {} as Rates;
  for (const name of Object.keys(bodies) as (keyof Rates)[]) rates[name] = { logsPerSec: 0, failed: 0 };
  for (let round = 0; round < rounds; round++) {
    for (const name of Object.keys(bodies) as (keyof Rates)[]) {
      const { path, contentType, body } = bodies[name];
      const result = await autocannon({ url: `${URL_BASE}${path}`, method: 'POST', headers: { 'content-type': contentType }, body, connections: 4, duration: roundSec });
      rates[name].logsPerSec += (result.requests.total * 1000) / (rounds * roundSec);
      rates[name].failed += result.non2xx + result.errors + result.timeouts;
    }
  }
  return rates;
}

/** The Elasticsearch bulk API: the example log 1,000 times as `index` actions to /_bulk. */
function bulkBodies(): Record<keyof Rates, Body> {
  const docs = Array.from({ length: 1000 }, () => ({ ...example, resourceId: 'bench-bulk' }));
  const stored = docs.map((doc) => mapElasticDocument(doc, undefined, undefined).item);
  return {
    native: { path: '/logs', contentType: 'application/json', body: JSON.stringify(docs) },
    sameContent: { path: '/logs', contentType: 'application/json', body: JSON.stringify(stored) },
    protocol: { path: '/_bulk', contentType: 'application/x-ndjson', body: `${docs.map((doc) => `{"index":{}}\n${JSON.stringify(doc)}`).join('\n')}\n` },
  };
}

/** OTLP/HTTP: the example log 1,000 times as a protobuf ExportLogsServiceRequest to /v1/logs. */
function otlpBodies(nativeBody: string): Record<keyof Rates, Body> {
  const otlpBody = otlpProtobufBatch(1000);
  const stored = mapOtlpLogs(OtlpExportLogsServiceRequest.decode(otlpBody), Date.now()).logs;
  return {
    native: { path: '/logs', contentType: 'application/json', body: nativeBody },
    sameContent: { path: '/logs', contentType: 'application/json', body: JSON.stringify(stored) },
    protocol: { path: '/v1/logs', contentType: 'application/x-protobuf', body: otlpBody },
  };
}

function printVersus(title: string, protocol: string, rates: Rates, rounds: number, roundSec: number): void {
  const line = (label: string, { logsPerSec, failed }: Rates[keyof Rates]) => console.log(`  ${label}: ${fmt(logsPerSec)} logs/s (${failed} failed requests)`);
  console.log(`\n${title} vs POST /logs, batches of 1000, concurrency 4, ${rounds} alternating rounds of ${roundSec}s each:`);
  line('POST /logs, the example log', rates.native);
  line(`POST /logs, the logs as ${protocol} stores them`, rates.sameContent);
  line(protocol, rates.protocol);
  console.log(`  ratio ${protocol} / native: ${fmt(rates.protocol.logsPerSec / rates.native.logsPerSec, 2)} (target >= 0.9)`);
  console.log(`  ratio ${protocol} / native with the same stored content: ${fmt(rates.protocol.logsPerSec / rates.sameContent.logsPerSec, 2)}`);
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
    const rounds = 3;
    const roundSec = Math.max(2, Math.round(durationSec / 3));
    const bulk = await versusNative(bulkBodies(), rounds, roundSec);
    const otlp = await versusNative(otlpBodies(body1000), rounds, roundSec);
    const rss = peakRssMiB(ingester.process.pid!);

    const raw = await rawKafka(1000, 200_000);
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const row of rows) console.log(row.map((cell, i) => cell.padStart(widths[i]!)).join('  '));
    console.log(`\nbaseline: kafkajs straight to Kafka, batches of 1000, acks=all: ${fmt(raw)} logs/s`);
    console.log(`ratio ingester (batches of 1000) / raw kafkajs: ${fmt((batch1000.requestsPerSec * 1000) / raw, 2)}`);
    console.log('(the ingester alone, no sinks; against the seed, measured in the same run: npm run bench -- system)');
    console.log(`ingester peak RSS: ${fmt(rss)} MiB`);
    printVersus('Elasticsearch bulk API', 'POST /_bulk', bulk, rounds, roundSec);
    printVersus('OTLP/HTTP protobuf', 'POST /v1/logs (OTLP protobuf)', otlp, rounds, roundSec);
  } finally {
    await ingester.stop();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [config.kafka.topic, config.kafka.dlqTopic] }).catch(() => undefined);
    await admin.disconnect();
  }
}
