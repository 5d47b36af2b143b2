import { createElasticsearch, createLogger, createPool, ensureTopics, indexForLog, indexNames, installIndexTemplate, loadConfig, type LogRecord, partitionName } from '@logflow/core';
import { ES_BULK_CONCURRENCY, ES_BULK_LIMITS, LOG_COLUMNS, toCopyLine } from '@logflow/sinks';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { from as copyFrom } from 'pg-copy-streams';
import { v7 as uuidv7 } from 'uuid';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * `npm run bench -- sinks [--logs N]`: preloads N logs into a topic of its own, lets each sink
 * alone drain it, and measures the same records loaded straight into each engine from this
 * process (Elasticsearch's bulk helper; Postgres COPY) as the engine's limit here.
 *
 * The records are dated 2000-01-01 so the bench writes to a daily index and a `logs`
 * partition of their own, which it removes afterwards along with its topic and groups.
 */
const CLI = fileURLToPath(new URL('../cli/logflow.mjs', import.meta.url));
const DAY = Date.UTC(2000, 0, 1);
/** The pg-sink claims each log's id in log_ids too: the bench's go with its partition. */
const BENCH_IDS_DELETE = `DELETE FROM log_ids WHERE "timestamp" >= '2000-01-01Z' AND "timestamp" < '2000-01-02Z'`;
const LEVELS = ['info', 'info', 'info', 'info', 'debug', 'warn', 'error'] as const;
const PATHS = ['/api/orders', '/api/users/{id}', '/api/cart', '/healthz', '/api/payments'];

interface Measure {
  seconds: number;
  rssMiB?: number;
  cpuSeconds?: number;
}

/** User + system CPU seconds a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function makeRecords(count: number): { id: string; json: string; record: LogRecord }[] {
  return Array.from({ length: count }, (_, i) => {
    const at = new Date(DAY + Math.floor((i * 86_000_000) / count)).toISOString();
    const level = LEVELS[i % LEVELS.length]!;
    const record: LogRecord = {
      id: uuidv7(),
      receivedAt: at,
      timestamp: at,
      level,
      message: level === 'error' ? `Failed to connect to DB after ${i % 5} retries` : `GET ${PATHS[i % PATHS.length]} answered in ${i % 250} ms`,
      resourceId: `server-${i % 50}`,
      traceId: `trace-${Math.floor(i / 8)}`,
      spanId: `span-${i}`,
      commit: '5e5342f',
      metadata: { parentResourceId: `server-${(i % 50) + 1000}`, region: i % 2 ? 'eu-west-1' : 'us-east-1', status: 200 + (i % 5) },
    };
    return { id: record.id, json: JSON.stringify(record), record };
  });
}

/** A rate means nothing unless every log was stored, once: refuse to print one otherwise. */
function requireAll(what: string, stored: number, distinct: number, count: number): void {
  if (stored !== count || distinct !== count) throw new Error(`${what} holds ${stored} logs (${distinct} distinct ids) of the ${count} sent: no rate printed`);
}

async function timed(work: () => Promise<void>): Promise<Measure> {
  const started = process.hrtime.bigint();
  await work();
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/**
 * Runs a sink role alone, from the moment it has joined its group (process start-up is not
 * throughput) until the group has committed the whole topic; its peak RSS from /proc.
 */
async function drainWithSink(role: string, env: Record<string, string>, kafka: Kafka, topic: string, groupId: string): Promise<Measure> {
  const child = spawn(process.execPath, [CLI, role], { env: { ...process.env, ...env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const started = new Promise<bigint>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (chunk.toString().includes('"msg":"started"')) resolve(process.hrtime.bigint());
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', () => reject(new Error(`${role} exited: ${output.join('')}`)));
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.high]));
    const from = await started;
    const cpuFrom = cpuSeconds(child.pid!);
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${role} exited: ${output.join('')}`);
      const partitions = (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions ?? [];
      if (partitions.length === ends.size && partitions.every((p) => p.offset === ends.get(p.partition))) break;
      await sleep(100);
    }
    const seconds = Number(process.hrtime.bigint() - from) / 1e9;
    const peak = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
    return { seconds, rssMiB: Number(peak) / 1024, cpuSeconds: cpuSeconds(child.pid!) - cpuFrom };
  } finally {
    await admin.disconnect();
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

/** Waits for the merges a load leaves behind, so the next measurement does not pay for them. */
async function settle(es: ReturnType<typeof createElasticsearch>, readAlias: string): Promise<void> {
  await es.indices.refresh({ index: readAlias });
  for (let i = 0; i < 60; i++) {
    const stats = await es.indices.stats({ index: readAlias, metric: 'merge' });
    if ((stats._all.total?.merges?.current ?? 0) === 0) return;
    await sleep(500);
  }
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { logs: { type: 'string', default: '500000' }, only: { type: 'string' }, 'sink-heap-mib': { type: 'string' } },
  });
  const measures = (engine: 'es' | 'pg') => values.only === undefined || values.only === engine;
  const count = Number(values.logs);
  const runId = randomUUID().slice(0, 8);
  const env = {
    KAFKA_TOPIC: `logflow.bench.${runId}`,
    KAFKA_DLQ_TOPIC: `logflow.bench.${runId}.dlq`,
    ES_SINK_GROUP_ID: `logflow-es-sink-bench-${runId}`,
    PG_SINK_GROUP_ID: `logflow-pg-sink-bench-${runId}`,
    ES_SINK_PORT: '0',
    PG_SINK_PORT: '0',
    // To see what capping V8's heap does to a sink's memory and speed.
    ...(values['sink-heap-mib'] ? { NODE_OPTIONS: `--max-old-space-size=${values['sink-heap-mib']}` } : {}),
  };
  const config = loadConfig({ ...process.env, ...env });
  const topic = config.kafka.topic;
  const kafka = new Kafka({ clientId: 'logflow-bench', brokers: config.kafka.brokers, logLevel: logLevel.ERROR });
  const es = createElasticsearch(config);
  const pool = createPool(config, createLogger({ logLevel: 'warn' }, 'bench'), { name: 'logflow-bench', max: 2 });
  const names = indexNames(config.elasticsearch.indexPrefix);
  const sinkIndex = indexForLog(names, { generation: 1 }, new Date(DAY).toISOString());
  const directIndex = `${sinkIndex}-direct`;
  const partition = partitionName(new Date(DAY));
  const log = (line: string) => process.stdout.write(`${line}\n`);

  try {
    log(`generating ${count} logs…`);
    const records = makeRecords(count);
    const mib = records.reduce((sum, r) => sum + Buffer.byteLength(r.json), 0) / 2 ** 20;
    log(`${mib.toFixed(1)} MiB of JSON, ${Math.round((mib * 2 ** 20) / count)} bytes a log`);

    await ensureTopics(kafka, config);
    await installIndexTemplate(es, config);
    await es.indices.delete({ index: [sinkIndex, directIndex], ignore_unavailable: true });
    await pool.query(`DROP TABLE IF EXISTS ${partition}`);
    await pool.query(BENCH_IDS_DELETE);
    await pool.query(`CREATE TABLE ${partition} PARTITION OF logs FOR VALUES FROM ('2000-01-01Z') TO ('2000-01-02Z')`);

    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    await producer.connect();
    const preload = await timed(async () => {
      for (let i = 0; i < count; i += 5_000) {
        await producer.send({ topic, acks: -1, messages: records.slice(i, i + 5_000).map((r) => ({ key: r.id, value: r.json })) });
      }
    });
    await producer.disconnect();
    log(`preloaded into ${topic} in ${preload.seconds.toFixed(1)} s`);

    const rate = (m: Measure) => `${Math.round(count / m.seconds).toLocaleString('en')} logs/s  ${(mib / m.seconds).toFixed(1)} MiB/s`;
    const summary = [`${count.toLocaleString('en')} logs, ${mib.toFixed(1)} MiB`];

    if (measures('es')) {
      log('Elasticsearch: direct bulk load…');
      const direct = await timed(async () => {
        const stats = await es.helpers.bulk<{ id: string; json: string }>({
          datasource: records,
          onDocument: (r) => [{ index: { _index: directIndex, _id: r.id } }, r.json],
          flushBytes: ES_BULK_LIMITS.maxBytes,
          concurrency: ES_BULK_CONCURRENCY,
          retries: 10,
          wait: 1_000,
        });
        if (stats.failed > 0) throw new Error(`direct bulk: ${stats.failed} failed`);
      });
      await settle(es, names.readAlias);
      log('Elasticsearch: es-sink draining the topic…');
      const sink = await drainWithSink('es-sink', env, kafka, topic, env.ES_SINK_GROUP_ID);
      await es.indices.refresh({ index: [sinkIndex, directIndex] });
      const [sinkDocs, directDocs] = await Promise.all([sinkIndex, directIndex].map(async (index) => (await es.count({ index })).count));
      // Distinct by the documents' own `id` field (exact below 40,000; above, the count and the index's one-document-per-_id carry it).
      const distinctIds = async (index: string) =>
        ((await es.search({ index, size: 0, aggs: { ids: { cardinality: { field: 'id', precision_threshold: 40_000 } } } })).aggregations!.ids as { value: number }).value;
      const [sinkIds, directIds] = await Promise.all([distinctIds(sinkIndex), distinctIds(directIndex)]);
      const exactEnough = (n: number) => (count <= 40_000 ? n : count);
      requireAll('the direct bulk load', directDocs!, exactEnough(directIds), count);
      requireAll('the es-sink index', sinkDocs!, exactEnough(sinkIds), count);
      summary.push(
        `Elasticsearch direct bulk   ${rate(direct)}  (${direct.seconds.toFixed(1)} s, ${directDocs} docs)`,
        `es-sink                     ${rate(sink)}  (${sink.seconds.toFixed(1)} s, ${sinkDocs} docs, peak RSS ${sink.rssMiB!.toFixed(0)} MiB, ${sink.cpuSeconds!.toFixed(1)} CPU s)`,
        `  ratio es-sink / direct    ${(direct.seconds / sink.seconds).toFixed(2)}  (target >= 0.8)`,
      );
    }

    if (measures('pg')) {
      log('Postgres: direct COPY…');
      const direct = await timed(async () => {
        const client = await pool.connect();
        try {
          const lines = (function* () {
            for (let i = 0; i < count; i += 1_000) {
              yield records
                .slice(i, i + 1_000)
                .map((r, j) => toCopyLine({ record: r.record, partition: 0, offset: String(i + j) }))
                .join('');
            }
          })();
          await pipeline(Readable.from(lines), client.query(copyFrom(`COPY logs (${LOG_COLUMNS}) FROM STDIN`)));
        } finally {
          client.release();
        }
      });
      const counted = async () => {
        const {
          rows: [row],
        } = await pool.query<{ n: string; ids: string }>(`SELECT count(*) AS n, count(DISTINCT id) AS ids FROM ${partition}`);
        return { n: Number(row!.n), ids: Number(row!.ids) };
      };
      const rows = async () => (await counted()).n;
      const direct0 = await counted();
      requireAll('the direct COPY', direct0.n, direct0.ids, count);
      const directRows = direct0.n;
      await pool.query(`TRUNCATE ${partition}`);
      log('Postgres: pg-sink draining the topic…');
      const sink = await drainWithSink('pg-sink', env, kafka, topic, env.PG_SINK_GROUP_ID);
      const bySink = await counted();
      requireAll('the pg-sink partition', bySink.n, bySink.ids, count);
      summary.push(
        `Postgres direct COPY        ${rate(direct)}  (${direct.seconds.toFixed(1)} s, ${directRows} rows)`,
        `pg-sink                     ${rate(sink)}  (${sink.seconds.toFixed(1)} s, ${await rows()} rows, peak RSS ${sink.rssMiB!.toFixed(0)} MiB, ${sink.cpuSeconds!.toFixed(1)} CPU s)`,
        `  ratio pg-sink / direct    ${(direct.seconds / sink.seconds).toFixed(2)}  (target >= 0.6)`,
      );
    }
    log(['', ...summary].join('\n'));
  } finally {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([env.ES_SINK_GROUP_ID, env.PG_SINK_GROUP_ID]).catch(() => undefined);
    await admin.deleteTopics({ topics: [topic, config.kafka.dlqTopic] }).catch(() => undefined);
    await admin.disconnect();
    await es.indices.delete({ index: [sinkIndex, directIndex], ignore_unavailable: true });
    await pool.query(`DROP TABLE IF EXISTS ${partition}`);
    await pool.query(BENCH_IDS_DELETE);
    await pool.query('DELETE FROM sink_offsets WHERE topic = $1', [topic]);
    await pool.end();
    await es.close();
  }
}
