import autocannon from 'autocannon';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { from as copyFrom } from 'pg-copy-streams';
import { indexTemplate, LogIdGenerator, logEventSchema, type LogRecord, toLogRecord, uuidKeyPartitioner } from '@logflow/core';
import { LOG_COLUMNS, toCopyLine } from '@logflow/sinks';
import type { Producer } from 'kafkajs';
import { createInstallation, type Installation } from '../test/installation.ts';
import { percentile } from './stats.ts';
import { setTimeout as sleep } from 'node:timers/promises';

/*
 * `npm run bench -- system [--rounds=3] [--round-sec=5] [--logs=200000] [--idle-sec=60] [--single-process]
 *   [--phases=single,sustained,latency,trickle,idle] [--clients=10,100] [--cpu-prof=DIR] [--node-flags='--trace-gc']`
 *
 * The whole system as `npm start` runs it (`logflow all`, every role, default settings, no API
 * keys) in an installation of its own on the shared engines, loaded from this process (the
 * load generator never shares an event loop with the system). Ports: BENCH_INGESTER_PORT
 * (3300), BENCH_QUERY_PORT (5300), BENCH_SEED_PORT (3399); the sinks' metrics ports follow
 * the ingester's (+1, +2).
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const example = JSON.parse(readFileSync(new URL('../test/fixtures/example_log.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const VENV = `${ROOT}.scratch/seed-venv`;

interface Options {
  rounds: number;
  roundSec: number;
  logs: number;
  idleSec: number;
  singleProcess: boolean;
  /** Phases to run: single, sustained, latency, idle. */
  phases: string[];
  /** Every role writes a V8 CPU profile here when it stops (node --cpu-prof). */
  cpuProfDir: string | undefined;
  /** Node flags for every role (e.g. --trace-gc; output in .scratch/bench-system.log). */
  nodeFlags: string[];
  /** Concurrent clients of the single-log rounds. */
  clients: number[];
}

function parseOptions(args: string[]): Options {
  const value = (name: string, fallback: number) => {
    const arg = args.find((a) => a.startsWith(`--${name}=`));
    return arg ? Number(arg.split('=')[1]) : fallback;
  };
  return {
    rounds: value('rounds', 3),
    roundSec: value('round-sec', 5),
    logs: value('logs', 200_000),
    idleSec: value('idle-sec', 60),
    singleProcess: args.includes('--single-process'),
    phases: (args.find((a) => a.startsWith('--phases='))?.split('=')[1] ?? 'single,sustained,latency,trickle,idle').split(','),
    cpuProfDir: args.find((a) => a.startsWith('--cpu-prof='))?.split('=')[1],
    nodeFlags: (args.find((a) => a.startsWith('--node-flags='))?.slice('--node-flags='.length) ?? '').split(' ').filter(Boolean),
    clients: (args.find((a) => a.startsWith('--clients='))?.split('=')[1] ?? '10,100').split(',').map(Number),
  };
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const row of rows) console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
}

// ---- processes: CPU ticks and peak memory from /proc ----

const TICKS_PER_SEC = 100;

function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) => readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
  } catch {
    return [];
  }
}

/** utime+stime of the process; with `tree`, also its live descendants and the reaped ones (cutime+cstime). */
function cpuTicks(pid: number, tree = false): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // After "pid (comm) ": state is field 3, so utime (14) is index 11.
    let ticks = Number(fields[11]) + Number(fields[12]);
    if (tree) ticks += Number(fields[13]) + Number(fields[14]) + childPids(pid).reduce((sum, child) => sum + cpuTicks(child, true), 0);
    return ticks;
  } catch {
    return 0;
  }
}

function peakRssMiB(pid: number): number {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

interface Watched {
  name: string;
  pid: number;
  /** Count descendants too (Postgres: one backend process per connection). */
  tree: boolean;
  role: boolean;
}

function engines(): Watched[] {
  const out = spawnSync(process.execPath, ['stack/cli.mjs', 'status', '--json'], { cwd: ROOT, encoding: 'utf8' });
  const rows = JSON.parse(out.stdout) as { name: string; pid: number | null }[];
  return rows.filter((r) => r.pid).map((r) => ({ name: r.name, pid: r.pid!, tree: r.name === 'postgres', role: false }));
}

const snapshot = (watched: Watched[]) => new Map(watched.map((w) => [w.name, cpuTicks(w.pid, w.tree)]));
const cpuSecondsSince = (watched: Watched[], before: Map<string, number>) => new Map(watched.map((w) => [w.name, (cpuTicks(w.pid, w.tree) - before.get(w.name)!) / TICKS_PER_SEC]));

// ---- the systems under test ----

interface System {
  name: string;
  url: string;
  process: ChildProcess;
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url);
    return true;
  } catch {
    return false;
  }
}

async function waitUntilUp(urls: string[], child: ChildProcess, what: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    if ((await Promise.all(urls.map(answers))).every(Boolean)) return;
    await sleep(250);
  }
  throw new Error(`${what} did not answer within 120 s`);
}

function startLogFlow(installation: Installation, ports: { ingester: number; query: number }, singleProcess: boolean, cpuProfDir: string | undefined, nodeFlags: string[]): ChildProcess {
  const log = createWriteStream(`${ROOT}.scratch/bench-system.log`);
  // As cli/start.mjs runs it: `logflow all`, no API keys, every other setting at its default.
  const profile = cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [];
  const child = spawn(process.execPath, [...profile, ...nodeFlags, 'cli/logflow.mjs', 'all', ...(singleProcess ? ['--single-process'] : [])], {
    cwd: ROOT,
    env: {
      ...process.env,
      LOGFLOW_AUTH: 'off',
      ...installation.env,
      INGESTER_PORT: String(ports.ingester),
      QUERY_PORT: String(ports.query),
      ES_SINK_PORT: String(ports.ingester + 1),
      PG_SINK_PORT: String(ports.ingester + 2),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  return child;
}

/** The seed's design (bench/seed_ingester.py) in a venv of its own under .scratch/, made from PyPI on first use. */
function startSeed(port: number, topic: string): ChildProcess {
  if (!existsSync(`${VENV}/bin/uvicorn`)) {
    console.log('setting up the seed baseline venv (.scratch/seed-venv) from PyPI …');
    const made = spawnSync('python3', ['-m', 'venv', VENV], { stdio: 'inherit' });
    const installed = made.status === 0 && spawnSync(`${VENV}/bin/pip`, ['install', '-q', 'fastapi', 'uvicorn', 'kafka-python'], { stdio: 'inherit' });
    if (!installed || installed.status !== 0) throw new Error('could not set up the seed venv (python3 -m venv, pip install fastapi uvicorn kafka-python)');
  }
  return spawn(`${VENV}/bin/uvicorn`, ['seed_ingester:app', '--app-dir', 'bench', '--host', '127.0.0.1', '--port', String(port), '--workers', '1', '--log-level', 'warning', '--no-access-log'], {
    cwd: ROOT,
    env: { ...process.env, SEED_TOPIC: topic, KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

// ---- load ----

interface Load {
  requestsPerSec: number;
  p50: number;
  p99: number;
  ok: number;
  failed: number;
}

const singleBody = () => JSON.stringify({ ...example, resourceId: 'bench-system' });

async function singleLogs(url: string, connections: number, distinct: boolean, seconds: number): Promise<Load> {
  let n = 0;
  const result = await autocannon({
    url: `${url}/logs`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: singleBody(),
    connections,
    duration: seconds,
    ...(distinct
      ? {
          requests: [
            {
              setupRequest: (request: autocannon.Request) => ({
                ...request,
                body: JSON.stringify({ ...example, resourceId: 'bench-system', message: `distinct log ${n++} ${Math.random()}` }),
              }),
            },
          ],
        }
      : {}),
  });
  return {
    requestsPerSec: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    failed: result.non2xx + result.errors + result.timeouts,
  };
}

/**
 * What bounds a single-log POST that is answered only after acks=all: kafkajs alone, in this
 * process, `connections` loops each sending one log and waiting for Kafka's acknowledgement
 * (acks=all, the ingester's body as the value, a topic of its own), with no HTTP around it.
 */
async function bareKafka(producer: Producer, topic: string, connections: number, seconds: number): Promise<Load> {
  const latencies: number[] = [];
  const value = JSON.stringify(toLogRecord(logEventSchema.parse({ ...example, resourceId: 'bench-system' }), crypto.randomUUID(), new Date().toISOString()));
  let failed = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < until) {
        const started = performance.now();
        try {
          await producer.send({ topic, acks: -1, messages: [{ key: crypto.randomUUID(), value }] });
          latencies.push(performance.now() - started);
        } catch {
          failed += 1;
        }
      }
    }),
  );
  const sorted = latencies.sort((a, b) => a - b);
  return { requestsPerSec: sorted.length / seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99), ok: sorted.length, failed };
}

/** Every sample of a role's /metrics, by `name{labels}`. */
async function scrape(port: number): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return new Map([...text.matchAll(/^(\w+(?:\{[^}]*\})?) (\S+)$/gm)].map((m): [string, number] => [m[1]!, Number(m[2])]));
}

/** The sum over samples of `name` whose labels include `labels` (a substring), after minus before. */
function metricDelta(before: Map<string, number>, after: Map<string, number>, name: string, labels = ''): number {
  let sum = 0;
  for (const [key, value] of after) {
    if ((key === name || key.startsWith(`${name}{`)) && key.includes(labels)) sum += value - (before.get(key) ?? 0);
  }
  return sum;
}

const batchBody = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => ({ ...example, resourceId: 'bench-system', message: `batch log ${i}` })));

/** The same logs as the ingester makes them (one example, ids from LogIdGenerator), in batches of 1,000. */
function logBatches(logs: number, resourceId: string): LogRecord[][] {
  const event = logEventSchema.parse({ ...example, resourceId });
  const ids = new LogIdGenerator();
  const batches: LogRecord[][] = [];
  for (let sent = 0; sent < logs; sent += 1_000) {
    const now = new Date().toISOString();
    batches.push(Array.from({ length: 1_000 }, (_, i) => toLogRecord({ ...event, message: `batch log ${i}` }, ids.next(), now)));
  }
  return batches;
}

const bulkBody = (index: string, records: LogRecord[]) => `${records.flatMap((record) => [JSON.stringify({ index: { _index: index, _id: record.id } }), JSON.stringify(record)]).join('\n')}\n`;

/** An index of the installation's template (settings and mappings), for the direct writes. */
async function createDirectIndex(installation: Installation, index: string): Promise<void> {
  const { template } = indexTemplate(installation.config);
  await installation.es.indices.create({ index, settings: template!.settings, mappings: template!.mappings });
}

/** Each item written by one of 4 concurrent clients, the next item as soon as a client is free. */
async function fourClients<T>(items: T[], write: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const client = async () => {
    while (next < items.length) await write(items[next++]!);
  };
  await Promise.all([client(), client(), client(), client()]);
}

async function postBulk(installation: Installation, body: string): Promise<void> {
  const response = await fetch(`${installation.config.elasticsearch.url.replace(/\/$/, '')}/_bulk`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body });
  const answer = (await response.json()) as { errors: boolean };
  if (!response.ok || answer.errors) throw new Error(`direct _bulk failed (${response.status})`);
}

interface DirectRun {
  logsPerSec: number;
  /** CPU seconds of each watched process during the timed writes. */
  cpu: Map<string, number>;
}

/** Elasticsearch alone: the same logs as the ingester makes them, 4 bulks of 1,000 at a time, into an index of the same mappings. */
async function directBulk(installation: Installation, logs: number, watched: Watched[]): Promise<DirectRun> {
  const index = `${installation.names.prefix}.direct`;
  await createDirectIndex(installation, index);
  try {
    const bodies = logBatches(logs, 'bench-system').map((records) => bulkBody(index, records));
    const before = snapshot(watched);
    const started = performance.now();
    await fourClients(bodies, (body) => postBulk(installation, body));
    await installation.es.indices.refresh({ index });
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuSecondsSince(watched, before);
    const { count } = await installation.es.count({ index });
    if (count !== logs) throw new Error(`direct _bulk: ${count} of ${logs} documents`);
    return { logsPerSec: logs / seconds, cpu };
  } finally {
    await installation.es.indices.delete({ index, ignore_unavailable: true });
  }
}

const CEILING_RESOURCE = 'bench-ceiling';

/**
 * The ceiling of any pipeline on this machine: the same logs written from this process straight
 * into both stores at once, no Kafka and no LogFlow role. Elasticsearch as in directBulk;
 * Postgres as the PG sink writes a log (sinks/src/pg-rows.ts, its fast path): per 1,000 logs one
 * transaction that COPYs the ids into `log_ids` (the identity claim) and the rows into `logs`,
 * the installation's own tables with all their keys and indexes, 4 connections. Left out: the
 * sink's offset rows, so the ceiling is if anything too high. Bodies and COPY data are made
 * before the clock starts, so this process spends little CPU while the stores work.
 */
async function storesAlone(installation: Installation, logs: number, watched: Watched[]): Promise<DirectRun> {
  const index = `${installation.names.prefix}.ceiling`;
  await createDirectIndex(installation, index);
  try {
    const batches = logBatches(logs, CEILING_RESOURCE);
    const bodies = batches.map((records) => bulkBody(index, records));
    const copies = batches.map((records, b) => ({
      ids: records.map((record) => `${record.id}\t${record.timestamp}\n`).join(''),
      rows: records.map((record, i) => toCopyLine({ record, partition: 0, offset: String(b * 1_000 + i) })).join(''),
    }));
    const copyBatch = async ({ ids, rows }: { ids: string; rows: string }) => {
      const client = await installation.pool.connect();
      try {
        await client.query('BEGIN');
        await pipeline(Readable.from([ids]), client.query(copyFrom('COPY log_ids (id, "timestamp") FROM STDIN')));
        await pipeline(Readable.from([rows]), client.query(copyFrom(`COPY logs (${LOG_COLUMNS}) FROM STDIN`)));
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    };
    const before = snapshot(watched);
    const started = performance.now();
    await Promise.all([fourClients(bodies, (body) => postBulk(installation, body)).then(() => installation.es.indices.refresh({ index })), fourClients(copies, copyBatch)]);
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuSecondsSince(watched, before);
    const { count } = await installation.es.count({ index });
    const pg = await installation.pool.query<{ n: string }>('SELECT count(*) AS n FROM logs WHERE resource_id = $1', [CEILING_RESOURCE]);
    if (count !== logs || Number(pg.rows[0]!.n) !== logs) throw new Error(`stores alone: Elasticsearch ${count}, Postgres ${pg.rows[0]!.n} of ${logs} logs`);
    return { logsPerSec: logs / seconds, cpu };
  } finally {
    await installation.es.indices.delete({ index, ignore_unavailable: true });
    // The pipeline's own rows stay; VACUUM so the dead rows cost the sustained run nothing later.
    await installation.pool.query(`WITH gone AS (DELETE FROM logs WHERE resource_id = $1 RETURNING id) DELETE FROM log_ids WHERE id IN (SELECT id FROM gone)`, [CEILING_RESOURCE]);
    await installation.pool.query('VACUUM logs, log_ids');
  }
}

/**
 * Both stores' count once they agree and stop moving: autocannon stops counting requests
 * still in flight when its time is up, but the system takes them.
 */
async function quietCount(installation: Installation, atLeast: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  while (Date.now() < deadline) {
    const counts = await installation.counts();
    if (counts.pg === counts.es && counts.pg === last && counts.pg >= atLeast) return last;
    last = counts.pg === counts.es ? counts.pg : -1;
    await sleep(1_000);
  }
  throw new Error(`the stores did not settle: ${JSON.stringify(await installation.counts())}, at least ${atLeast} expected`);
}

/** Requests each role sent to Kafka so far, by `role client api` (logflow_kafka_requests_total on its /metrics). */
async function kafkaRequests(ports: Record<string, number>): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const [role, port] of Object.entries(ports)) {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    for (const match of text.matchAll(/^logflow_kafka_requests_total\{([^}]*)\} (\S+)$/gm)) {
      const labels = Object.fromEntries([...match[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((m): [string, string] => [m[1]!, m[2]!]));
      counts.set(`${role} ${labels.client} ${labels.api}`, Number(match[2]));
    }
  }
  return counts;
}

function printKafkaRequests(before: Map<string, number>, after: Map<string, number>, seconds: number, logs: number): void {
  const rows = [['role client API', 'requests/s', 'per 1,000 logs']];
  for (const [key, count] of after) {
    const delta = count - (before.get(key) ?? 0);
    if (delta > 0) rows.push([key, fmt(delta / seconds, 1), fmt((delta / logs) * 1_000, 1)]);
  }
  printTable(rows);
}

/** Each sink's records per Kafka batch and seconds per write (bulk request or transaction), summed so far. */
async function sinkWrites(ports: Record<string, number>): Promise<Map<string, number>> {
  const sums = new Map<string, number>();
  for (const role of ['es-sink', 'pg-sink']) {
    const text = await (await fetch(`http://127.0.0.1:${ports[role]}/metrics`)).text();
    for (const match of text.matchAll(/^(logflow_sink_(?:batch_records|write_seconds)_(?:sum|count))\{[^}]*\} (\S+)$/gm)) {
      sums.set(`${role} ${match[1]}`, Number(match[2]));
    }
  }
  return sums;
}

function printSinkWrites(before: Map<string, number>, after: Map<string, number>, seconds: number): void {
  const delta = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
  const rows = [['sink', 'batches/s', 'records per batch', 'writes/s', 'ms per write']];
  for (const role of ['es-sink', 'pg-sink']) {
    const batches = delta(`${role} logflow_sink_batch_records_count`);
    const writes = delta(`${role} logflow_sink_write_seconds_count`);
    rows.push([
      role,
      fmt(batches / seconds, 1),
      fmt(delta(`${role} logflow_sink_batch_records_sum`) / Math.max(1, batches), 1),
      fmt(writes / seconds, 1),
      fmt((delta(`${role} logflow_sink_write_seconds_sum`) / Math.max(1, writes)) * 1000, 1),
    ]);
  }
  printTable(rows);
}

/** Waits until both stores hold `expected` logs; the time it happened (ms, performance clock), or undefined on timeout. */
async function whenSettled(installation: Installation, expected: number, timeoutMs: number): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const counts = await installation.counts();
    if (counts.pg >= expected && counts.es >= expected) {
      if (counts.pg > expected || counts.es > expected) console.log(`  more logs than accepted: ${JSON.stringify(counts)} vs ${expected}`);
      return performance.now();
    }
    await sleep(250);
  }
  console.log(`  not settled after ${timeoutMs / 1000} s: ${JSON.stringify(await installation.counts())} of ${expected}`);
  return undefined;
}

/**
 * Ingest→searchable: while batches of 100 arrive at `logsPerSec`, one marked log every 100 ms;
 * each probe's time from its POST to the first search (no forced refresh) that finds it.
 */
/**
 * Posts one probe log every `everyMs` for `seconds` and measures from its 202 until a search by
 * its id finds it (Elasticsearch's 1 s refresh is part of it).
 */
async function probeSearchable(installation: Installation, url: string, seconds: number, everyMs: number): Promise<number[]> {
  const outstanding = new Map<string, number>();
  const latencies: number[] = [];
  let probing = true;
  const poller = (async () => {
    while (probing || outstanding.size > 0) {
      if (outstanding.size > 0) {
        const found = await installation.es.search({
          index: installation.names.readAlias,
          query: { ids: { values: [...outstanding.keys()] } },
          _source: false,
          size: outstanding.size,
        });
        const now = performance.now();
        for (const hit of found.hits.hits) {
          latencies.push(now - outstanding.get(hit._id!)!);
          outstanding.delete(hit._id!);
        }
      }
      await sleep(20);
    }
  })();
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    const id = crypto.randomUUID();
    const sentAt = performance.now();
    const response = await fetch(`${url}/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...example, id, resourceId: 'bench-probe' }) });
    if (response.status === 202) outstanding.set(id, sentAt);
    await sleep(Math.max(0, everyMs - (performance.now() - sentAt)));
  }
  probing = false;
  await Promise.race([poller, sleep(30_000)]);
  return latencies.sort((a, b) => a - b);
}

/** Ingest→searchable of probes every 100 ms while batches of 100 arrive at `logsPerSec`. */
async function searchableLatency(installation: Installation, url: string, logsPerSec: number, seconds: number): Promise<{ p50: number; p99: number; probes: number; sent: number }> {
  const background = autocannon({
    url: `${url}/logs`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: batchBody(100),
    connections: 4,
    overallRate: Math.max(1, Math.round(logsPerSec / 100)),
    duration: seconds,
  });
  const sorted = await probeSearchable(installation, url, seconds, 100);
  const loaded = await background;
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), probes: sorted.length, sent: loaded['2xx'] * 100 + sorted.length };
}

export async function run(args: string[]): Promise<void> {
  const options = parseOptions(args);
  const ports = {
    ingester: Number(process.env.BENCH_INGESTER_PORT ?? 3300),
    query: Number(process.env.BENCH_QUERY_PORT ?? 5300),
    seed: Number(process.env.BENCH_SEED_PORT ?? 3399),
  };
  console.log(`\nSystem benchmark ${new Date().toISOString()} (${JSON.stringify(options)})`);
  const installation = await createInstallation('bench-system', { KAFKA_TOPIC_PARTITIONS: '6' }, { quick: false });
  const seedTopic = `${installation.config.kafka.topic}.seed`;
  const admin = installation.kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: seedTopic, numPartitions: installation.config.kafka.partitions }] });
  const logflow = startLogFlow(installation, ports, options.singleProcess, options.cpuProfDir, options.nodeFlags);
  const seed = startSeed(ports.seed, seedTopic);
  try {
    const ingesterUrl = `http://127.0.0.1:${ports.ingester}`;
    const metricsPorts = { ingester: ports.ingester, 'es-sink': ports.ingester + 1, 'pg-sink': ports.ingester + 2 };
    await waitUntilUp(
      [`${ingesterUrl}/readyz`, `http://127.0.0.1:${ports.query}/`, ...(options.singleProcess ? [] : [1, 2].map((i) => `http://127.0.0.1:${ports.ingester + i}/metrics`))],
      logflow,
      'logflow all',
    );
    await waitUntilUp([`http://127.0.0.1:${ports.seed}/`], seed, 'the seed ingester');
    const systems: System[] = [
      { name: 'LogFlow', url: ingesterUrl, process: logflow },
      { name: 'seed', url: `http://127.0.0.1:${ports.seed}`, process: seed },
    ];
    const roleNames = options.singleProcess ? ['all'] : ['ingester', 'es-sink', 'pg-sink', 'reconciler', 'query'];
    const roles: Watched[] = options.singleProcess
      ? [{ name: 'all', pid: logflow.pid!, tree: false, role: true }]
      : childPids(logflow.pid!)
          .map((pid) => ({ name: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).at(-1)!, pid, tree: false, role: true }))
          .filter((w) => roleNames.includes(w.name));
    const watched = [...roles, ...engines()];
    console.log(`processes: ${watched.map((w) => `${w.name} ${w.pid}`).join(', ')}`);
    let accepted = 0;
    // Warm-up: JIT, connections, topic metadata.
    for (const system of systems) {
      const load = await singleLogs(system.url, 10, false, 2);
      if (system.name === 'LogFlow') accepted += load.ok;
    }

    if (options.phases.includes('single')) {
      // 1. Single logs, LogFlow, the seed and kafkajs alone alternating round by round.
      const cases = options.clients.flatMap((connections) => [false, true].map((distinct) => ({ connections, distinct })));
      const figures = new Map<string, Load[]>();
      const bareTopic = `${installation.config.kafka.topic}.bare`;
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic: bareTopic, numPartitions: installation.config.kafka.partitions }] });
      const bareProducer = installation.kafka.producer({ allowAutoTopicCreation: false, createPartitioner: uuidKeyPartitioner });
      await bareProducer.connect();
      // CPU of every process (this one too: the load generator) while each side's 10-client rounds ran.
      const self: Watched = { name: 'bench (load generator)', pid: process.pid, tree: false, role: false };
      const seedProc: Watched = { name: 'seed (uvicorn)', pid: seed.pid!, tree: false, role: false };
      const cpuWatched = [...watched, seedProc, self];
      const cpu = new Map<string, { seconds: number; requests: number; cpu: Map<string, number> }>();
      let ingesterBefore = await scrape(ports.ingester);
      const ingester = { requests: 0, seconds: 0, metrics: new Map<string, number>(), lagP99: [] as number[], lagMax: [] as number[] };
      const requestsBefore = await kafkaRequests(metricsPorts);
      const phaseStarted = performance.now();
      const acceptedBefore = accepted;
      // A diagnostic side: LogFlow with both sinks stopped (SIGSTOP) for the round, so neither they nor the
      // stores they write to compete for the CPU; not how anyone runs it, only to show what that competition costs.
      const sinks = options.singleProcess ? [] : roles.filter((w) => w.name === 'es-sink' || w.name === 'pg-sink');
      const sides = [...systems.map((s) => s.name), 'kafkajs', ...(sinks.length > 0 ? ['LogFlow, sinks stopped'] : [])];
      for (let round = 0; round < options.rounds; round++) {
        for (const { connections, distinct } of cases) {
          for (const side of sides) {
            if (side === 'kafkajs' && distinct) continue;
            const system = side === 'LogFlow, sinks stopped' ? systems[0] : systems.find((s) => s.name === side);
            const stopped = side === 'LogFlow, sinks stopped';
            if (stopped) for (const sink of sinks) process.kill(sink.pid, 'SIGSTOP');
            const before = snapshot(cpuWatched);
            if (side === 'LogFlow') {
              await sleep(200);
              ingesterBefore = await scrape(ports.ingester);
            }
            const started = performance.now();
            let load: Load;
            try {
              load = system ? await singleLogs(system.url, connections, distinct, options.roundSec) : await bareKafka(bareProducer, bareTopic, connections, options.roundSec);
            } finally {
              if (stopped) for (const sink of sinks) process.kill(sink.pid, 'SIGCONT');
            }
            const seconds = (performance.now() - started) / 1000;
            const spent = cpuSecondsSince(cpuWatched, before);
            // Let the sinks catch up on the logs of that round before the next side's round (not counted above).
            if (stopped) await sleep(3_000);
            if (connections === 10) {
              const sum = cpu.get(side) ?? { seconds: 0, requests: 0, cpu: new Map() };
              sum.seconds += seconds;
              sum.requests += load.ok;
              for (const [name, s] of spent) sum.cpu.set(name, (sum.cpu.get(name) ?? 0) + s);
              cpu.set(side, sum);
            }
            if (stopped) accepted += load.ok;
            if (side === 'LogFlow') {
              accepted += load.ok;
              if (connections === 10) {
                const after = await scrape(ports.ingester);
                ingester.requests += load.ok;
                ingester.seconds += seconds;
                for (const name of [
                  'logflow_ingest_produce_seconds_sum',
                  'logflow_ingest_produce_seconds_count',
                  'logflow_ingest_produce_batch_size_sum',
                  'nodejs_gc_duration_seconds_sum',
                  'nodejs_gc_duration_seconds_count',
                ]) {
                  ingester.metrics.set(name, (ingester.metrics.get(name) ?? 0) + metricDelta(ingesterBefore, after, name));
                }
                for (const kind of ['major', 'minor', 'incremental']) {
                  const key = `gc ${kind}`;
                  ingester.metrics.set(key, (ingester.metrics.get(key) ?? 0) + metricDelta(ingesterBefore, after, 'nodejs_gc_duration_seconds_sum', `kind="${kind}"`));
                  ingester.metrics.set(`${key} count`, (ingester.metrics.get(`${key} count`) ?? 0) + metricDelta(ingesterBefore, after, 'nodejs_gc_duration_seconds_count', `kind="${kind}"`));
                }
                ingester.lagP99.push(metricDelta(new Map(), after, 'nodejs_eventloop_lag_p99_seconds') * 1000);
                ingester.lagMax.push(metricDelta(new Map(), after, 'nodejs_eventloop_lag_max_seconds') * 1000);
              }
            }
            const key = `${side}|${connections}|${distinct}`;
            figures.set(key, [...(figures.get(key) ?? []), load]);
          }
        }
      }
      await bareProducer.disconnect();
      await admin.deleteTopics({ topics: [bareTopic] }).catch(() => undefined);
      console.log(`\nSingle-log POSTs (${options.rounds} alternating rounds of ${options.roundSec} s; medians of the rounds)`);
      const rows = [['case', 'LogFlow req/s', 'p50 ms', 'p99 ms', 'seed req/s', 'p50 ms', 'p99 ms', 'LogFlow/seed', 'failed']];
      for (const { connections, distinct } of cases) {
        const ours = figures.get(`LogFlow|${connections}|${distinct}`)!;
        const theirs = figures.get(`seed|${connections}|${distinct}`)!;
        rows.push([
          `${connections} clients, ${distinct ? 'distinct bodies' : 'one repeated body'}`,
          fmt(median(ours.map((l) => l.requestsPerSec))),
          fmt(median(ours.map((l) => l.p50)), 1),
          fmt(median(ours.map((l) => l.p99)), 1),
          fmt(median(theirs.map((l) => l.requestsPerSec))),
          fmt(median(theirs.map((l) => l.p50)), 1),
          fmt(median(theirs.map((l) => l.p99)), 1),
          `${fmt(median(ours.map((l, i) => l.requestsPerSec / theirs[i]!.requestsPerSec)), 2)}×`,
          `${ours.reduce((s, l) => s + l.failed, 0)}/${theirs.reduce((s, l) => s + l.failed, 0)}`,
        ]);
      }
      printTable(rows);
      console.log(
        '  per round, LogFlow/seed: ' +
          cases
            .map(
              ({ connections, distinct }) =>
                `${connections}${distinct ? 'd' : 'r'} ${figures
                  .get(`LogFlow|${connections}|${distinct}`)!
                  .map((l, i) => fmt(l.requestsPerSec / figures.get(`seed|${connections}|${distinct}`)![i]!.requestsPerSec, 2))
                  .join(' ')}`,
            )
            .join(', '),
      );

      console.log('\nThe bound: kafkajs alone in this process, N loops each sending one log with acks=all and waiting (same rounds)');
      const bareRows = [['case', 'kafkajs req/s', 'p50 ms', 'p99 ms', 'LogFlow/kafkajs (one repeated body)']];
      for (const connections of options.clients) {
        const bare = figures.get(`kafkajs|${connections}|false`)!;
        const ours = figures.get(`LogFlow|${connections}|false`)!;
        bareRows.push([
          `${connections} concurrent sends`,
          fmt(median(bare.map((l) => l.requestsPerSec))),
          fmt(median(bare.map((l) => l.p50)), 1),
          fmt(median(bare.map((l) => l.p99)), 1),
          `${fmt(median(ours.map((l, i) => l.requestsPerSec / bare[i]!.requestsPerSec)), 2)}×`,
        ]);
      }
      printTable(bareRows);
      if (sinks.length > 0) {
        const rowsStopped = [['case', 'LogFlow, sinks stopped req/s', 'p50 ms', 'p99 ms', 'ratio to LogFlow', 'ratio to seed']];
        for (const { connections, distinct } of cases) {
          const paused = figures.get(`LogFlow, sinks stopped|${connections}|${distinct}`)!;
          const ours = figures.get(`LogFlow|${connections}|${distinct}`)!;
          const theirs = figures.get(`seed|${connections}|${distinct}`)!;
          rowsStopped.push([
            `${connections} clients, ${distinct ? 'distinct bodies' : 'one repeated body'}`,
            fmt(median(paused.map((l) => l.requestsPerSec))),
            fmt(median(paused.map((l) => l.p50)), 1),
            fmt(median(paused.map((l) => l.p99)), 1),
            `${fmt(median(paused.map((l, i) => l.requestsPerSec / ours[i]!.requestsPerSec)), 2)}×`,
            `${fmt(median(paused.map((l, i) => l.requestsPerSec / theirs[i]!.requestsPerSec)), 2)}×`,
          ]);
        }
        console.log('\nDiagnostic: LogFlow with both sinks stopped during its round (same rounds; the stores idle too)');
        printTable(rowsStopped);
      }

      const m = (name: string) => ingester.metrics.get(name) ?? 0;
      const produces = m('logflow_ingest_produce_seconds_count');
      console.log(
        `\nThe ingester during LogFlow's 10-client rounds: ${fmt(ingester.requests / ingester.seconds)} req/s, ${fmt(produces / ingester.seconds, 1)} produce requests/s, ` +
          `${fmt(m('logflow_ingest_produce_batch_size_sum') / Math.max(1, produces), 1)} logs per produce, ${fmt((m('logflow_ingest_produce_seconds_sum') / Math.max(1, produces)) * 1000, 1)} ms per produce (send to acks=all); ` +
          `GC ${fmt((m('nodejs_gc_duration_seconds_sum') / ingester.seconds) * 100, 1)} % of the time (${['major', 'minor', 'incremental'].map((k) => `${k} ${fmt(m(`gc ${k} count`))}× ${fmt((m(`gc ${k}`) / Math.max(1, m(`gc ${k} count`))) * 1000, 2)} ms`).join(', ')}); ` +
          `event-loop delay p99 per round ${ingester.lagP99.map((v) => fmt(v, 1)).join(' / ')} ms, max ${ingester.lagMax.map((v) => fmt(v, 1)).join(' / ')} ms (sampled every 100 ms)`,
      );

      console.log('\nCPU during the 10-client rounds, by side: % of one core, and ms per 1,000 requests');
      const cpuRows = [['process', ...sides.flatMap((side) => [`${side} %`, `${side} ms/1k`])]];
      for (const w of cpuWatched) {
        cpuRows.push([
          w.name,
          ...sides.flatMap((side) => {
            const sum = cpu.get(side)!;
            const s = sum.cpu.get(w.name) ?? 0;
            return [fmt((s / sum.seconds) * 100, 1), fmt((s / Math.max(1, sum.requests)) * 1e6, 0)];
          }),
        ]);
      }
      cpuRows.push(['requests/s', ...sides.flatMap((side) => [fmt(cpu.get(side)!.requests / cpu.get(side)!.seconds), ''])]);
      printTable(cpuRows);
      console.log('\nKafka requests during the single-log rounds (LogFlow idle while the seed and kafkajs run)');
      printKafkaRequests(requestsBefore, await kafkaRequests(metricsPorts), (performance.now() - phaseStarted) / 1000, accepted - acceptedBefore);
    }
    seed.kill('SIGTERM');

    // 2. Sustained batches, bracketed by the same logs straight into Elasticsearch alone and into
    // both stores at once (the ceiling), in the order ES, both, [sustained], both, ES: the load of
    // the machine drifts, so each pair's mean shares its middle.
    let endToEnd = Number.NaN;
    if (options.phases.includes('sustained')) {
      const base = await quietCount(installation, accepted, 180_000);
      const directWatched = [...watched, { name: 'bench (this process)', pid: process.pid, tree: false, role: false }];
      const directBefore = await directBulk(installation, options.logs, directWatched);
      const ceilingBefore = await storesAlone(installation, options.logs, directWatched);
      const requests = Math.ceil(options.logs / 1_000);
      const before = snapshot(watched);
      const requestsBefore = await kafkaRequests(metricsPorts);
      const started = performance.now();
      const sustained = await autocannon({
        url: `${ingesterUrl}/logs`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: batchBody(1_000),
        connections: 4,
        amount: requests,
        timeout: 30,
      });
      const acceptedAt = performance.now();
      const logs = sustained['2xx'] * 1_000;
      const settledAt = await whenSettled(installation, base + logs, 300_000);
      const cpu = cpuSecondsSince(watched, before);
      const requestsAfter = await kafkaRequests(metricsPorts);
      const acceptedRate = logs / ((acceptedAt - started) / 1000);
      endToEnd = settledAt === undefined ? NaN : logs / ((settledAt - started) / 1000);
      const ceilingAfter = await storesAlone(installation, logs, directWatched);
      const directAfter = await directBulk(installation, logs, directWatched);
      const direct = (directBefore.logsPerSec + directAfter.logsPerSec) / 2;
      const ceiling = (ceilingBefore.logsPerSec + ceilingAfter.logsPerSec) / 2;
      console.log(`\nSustained: ${fmt(logs)} logs in batches of 1,000 from 4 clients (${sustained.non2xx + sustained.errors} failed requests)`);
      printTable([
        ['figure', 'logs/s'],
        ['accepted (202)', fmt(acceptedRate)],
        ['end to end (ES and PG hold every log)', fmt(endToEnd)],
        ['Elasticsearch direct _bulk, same logs, before', fmt(directBefore.logsPerSec)],
        ['Elasticsearch direct _bulk, same logs, after', fmt(directAfter.logsPerSec)],
        ['ratio end to end / direct (mean of both)', `${fmt(endToEnd / direct, 2)}×`],
        ['both stores directly, no pipeline (ceiling), before', fmt(ceilingBefore.logsPerSec)],
        ['both stores directly, no pipeline (ceiling), after', fmt(ceilingAfter.logsPerSec)],
        ['ratio ceiling / ES direct (means)', `${fmt(ceiling / direct, 2)}×`],
        ['ratio end to end / ceiling (mean of both)', `${fmt(endToEnd / ceiling, 2)}×`],
      ]);
      console.log('\nKafka requests during the sustained run');
      printKafkaRequests(requestsBefore, requestsAfter, ((settledAt ?? performance.now()) - started) / 1000, logs);
      console.log('\nCPU seconds per 10,000 logs during the sustained run (engines are shared: other work on them counts too)');
      printTable([['process', 'CPU s / 10k logs'], ...watched.map((w) => [w.name, fmt((cpu.get(w.name)! / logs) * 10_000, 2)])]);
      // Both runs of each kind together: CPU of the stores (and of this process, which wrote) per log.
      const per10k = (runs: DirectRun[], name: string, n: number) => fmt((runs.reduce((sum, run) => sum + run.cpu.get(name)!, 0) / n) * 10_000, 2);
      const shown = directWatched.filter((w) => !w.role);
      console.log('\nCPU seconds per 10,000 logs while the stores were written directly (both runs of each; no role had work)');
      printTable([
        ['process', 'ES direct alone', 'both stores (ceiling)'],
        ...shown.map((w) => [w.name, per10k([directBefore, directAfter], w.name, options.logs + logs), per10k([ceilingBefore, ceilingAfter], w.name, options.logs + logs)]),
      ]);
      // The rates above swing with what else runs on the machine; CPU per log much less: what two
      // whole cores would carry at these costs, and the ratio of those, is the same bound by arithmetic.
      const twoCores = (runs: DirectRun[]) => (2 * (options.logs + logs)) / runs.reduce((sum, run) => sum + shown.reduce((s, w) => s + run.cpu.get(w.name)!, 0), 0);
      const directCores = twoCores([directBefore, directAfter]);
      const ceilingCores = twoCores([ceilingBefore, ceilingAfter]);
      console.log(
        `  all of them: two idle cores would carry ${fmt(directCores)} logs/s to ES alone, ${fmt(ceilingCores)} to both stores: ceiling / ES direct by CPU ${fmt(ceilingCores / directCores, 2)}×`,
      );
    }
    if (options.phases.includes('latency')) {
      // 3. Ingest→searchable at half the sustained end-to-end rate.
      const half = Number.isFinite(endToEnd) ? endToEnd / 2 : Number(args.find((a) => a.startsWith('--half-rate='))?.split('=')[1] ?? 2_000);
      const writesBefore = await sinkWrites(metricsPorts);
      const latency = await searchableLatency(installation, ingesterUrl, half, 15);
      printSinkWrites(writesBefore, await sinkWrites(metricsPorts), 15);
      console.log(`\nIngest→searchable at ${fmt(half)} logs/s: p50 ${fmt(latency.p50)} ms, p99 ${fmt(latency.p99)} ms (${latency.probes} probes)`);
    }
    if (options.phases.includes('trickle')) {
      // 4. A trickle: one log every 2.5 s and nothing else, the sinks idle in between.
      const sorted = await probeSearchable(installation, ingesterUrl, 50, 2_500);
      console.log(`\nIngest→searchable of a trickle (one log every 2.5 s): p50 ${fmt(percentile(sorted, 50))} ms, p99 ${fmt(percentile(sorted, 99))} ms (${sorted.length} probes)`);
    }
    if (options.phases.includes('idle')) {
      // 5. Idle: nothing arrives. First the 90 s right after the last request: V8's memory reducer
      // runs its full collections there, once, about 60 s after a role stopped allocating (seen with
      // --trace-gc), and a scheduled job may fall in it. Then idleSec of the steady state a system
      // idle for hours stays in.
      await sleep(5_000);
      const windows: { label: string; seconds: number; cpu: Map<string, number> }[] = [];
      for (const [label, seconds] of [
        ['first 90 s', 90],
        [`next ${options.idleSec} s`, options.idleSec],
      ] as const) {
        const before = snapshot(watched);
        await sleep(seconds * 1000);
        windows.push({ label, seconds, cpu: cpuSecondsSince(watched, before) });
      }
      const percentOfCore = (window: (typeof windows)[number], name: string) => (window.cpu.get(name)! / window.seconds) * 100;
      console.log('\nIdle (% of one core), from 5 s after the last request, and peak RSS over the whole run');
      printTable([
        ['process', ...windows.map((w) => w.label), 'peak RSS MiB'],
        ...watched.map((w) => [w.name, ...windows.map((window) => fmt(percentOfCore(window, w.name), 2)), w.role ? fmt(peakRssMiB(w.pid)) : '-']),
        [
          'all roles together',
          ...windows.map((window) =>
            fmt(
              roles.reduce((sum, w) => sum + percentOfCore(window, w.name), 0),
              2,
            ),
          ),
          '-',
        ],
      ]);
    }
    if (roles.length !== roleNames.length) console.log(`(found roles ${roles.map((r) => r.name).join(', ')}; expected ${roleNames.join(', ')})`);
  } finally {
    seed.kill('SIGTERM');
    logflow.kill('SIGTERM');
    await new Promise((resolve) => (logflow.exitCode === null ? logflow.once('exit', resolve) : resolve(undefined)));
    await admin.deleteTopics({ topics: [seedTopic] }).catch(() => undefined);
    await admin.disconnect();
    await installation.close();
  }
}
