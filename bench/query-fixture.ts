import { type LogLevel } from '@logflow/common';
import type { Client } from '@elastic/elasticsearch';
import { type Config, createElasticsearch, createLogger, createPool, indexForLog, indexNames, installIndexTemplate, loadConfig, type LogRecord, type Pool } from '@logflow/core';
import { startRole, type RunningRole } from '../test/roles.ts';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The query benchmark's data: `count` logs over one week of 2001, all received on 2001-01-08,
 * so Elasticsearch holds them in one daily index (as a backfill would) and Postgres in its
 * default partition. They are loaded straight into both stores (bulk and batched INSERTs), not
 * through Kafka: the benchmark measures queries, not ingestion. Generated from a fixed seed, so
 * every run has the same data; Postgres rows carry kafka_partition = -1, which marks them.
 */
export const FIXTURE_FROM = Date.UTC(2001, 0, 1);
export const FIXTURE_TO = Date.UTC(2001, 0, 8);
const RECEIVED_ON = Date.UTC(2001, 0, 8);
export const FIXTURE_INDEX = indexForLog(indexNames(loadConfig().elasticsearch.indexPrefix), { generation: 1 }, new Date(RECEIVED_ON).toISOString());
export const FIXTURE_PARTITION_MARK = -1;
export const RESOURCES = 2_000;

const LEVELS: [LogLevel, number][] = [
  ['info', 0.7],
  ['debug', 0.1],
  ['warn', 0.1],
  ['error', 0.08],
  ['fatal', 0.01],
  ['trace', 0.01],
];
const COMMITS = Array.from({ length: 20 }, (_, i) => ((i + 1) * 0x9e3779b1).toString(16).slice(-7).padStart(7, '0'));
const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2', 'ap-south-1'];

/** mulberry32: a small seeded generator, good enough to spread test data. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const MESSAGES: ((r: () => number) => string)[] = [
  (r) => `GET /api/v1/users/${Math.floor(r() * 100_000)} 200 in ${Math.floor(r() * 900)} ms`,
  (r) => `POST /api/v1/orders 201 in ${Math.floor(r() * 1_500)} ms`,
  (r) => `Failed to connect to DB db-${Math.floor(r() * 8)}:5432 after ${1 + Math.floor(r() * 5)} retries`,
  (r) => `Connection timed out after ${1_000 + Math.floor(r() * 9_000)} ms`,
  (r) => `Cache miss for key user:${Math.floor(r() * 100_000)}`,
  (r) => `Payment ${Math.floor(r() * 1e9).toString(36)} failed: card declined`,
  (r) => `Worker ${Math.floor(r() * 64)} processed batch of ${Math.floor(r() * 500)} jobs`,
  (r) => `User ${Math.floor(r() * 100_000)} logged in from ${REGIONS[Math.floor(r() * REGIONS.length)]}`,
];

function hex(r: () => number, length: number): string {
  let out = '';
  while (out.length < length)
    out += Math.floor(r() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return out.slice(0, length);
}

function pick<T>(r: () => number, weighted: [T, number][]): T {
  let x = r();
  for (const [value, weight] of weighted) {
    if ((x -= weight) < 0) return value;
  }
  return weighted[0]![0];
}

export function fixtureLog(i: number, count: number): LogRecord {
  const r = random(i * 2_654_435_761 + 7);
  const step = (FIXTURE_TO - FIXTURE_FROM) / count;
  return {
    id: `b3c0be7c-0000-7000-8000-${i.toString(16).padStart(12, '0')}`,
    timestamp: new Date(FIXTURE_FROM + Math.floor(i * step + r() * step)).toISOString(),
    receivedAt: new Date(RECEIVED_ON + Math.floor((i / count) * 86_400_000)).toISOString(),
    level: pick(r, LEVELS),
    message: MESSAGES[Math.floor(r() * MESSAGES.length)]!(r),
    resourceId: `server-${1_000 + Math.floor(r() * RESOURCES)}`,
    traceId: hex(r, 16),
    spanId: hex(r, 8),
    commit: COMMITS[Math.floor(r() * COMMITS.length)]!,
    metadata: { parentResourceId: `server-${1_000 + Math.floor(r() * RESOURCES)}`, region: REGIONS[Math.floor(r() * REGIONS.length)]! },
  };
}

async function* fixtureLogs(count: number): AsyncGenerator<LogRecord> {
  for (let i = 0; i < count; i += 1) yield fixtureLog(i, count);
}

export async function fixtureCounts(es: Client, pool: Pool): Promise<{ elasticsearch: number; postgres: number }> {
  const exists = await es.indices.exists({ index: FIXTURE_INDEX });
  const elasticsearch = exists ? (await es.count({ index: FIXTURE_INDEX })).count : 0;
  const rows = await pool.query<{ n: string }>('SELECT count(*) AS n FROM logs WHERE timestamp >= $1 AND timestamp < $2 AND kafka_partition = $3', [
    new Date(FIXTURE_FROM).toISOString(),
    new Date(FIXTURE_TO).toISOString(),
    FIXTURE_PARTITION_MARK,
  ]);
  return { elasticsearch, postgres: Number(rows.rows[0]!.n) };
}

export async function dropFixture(es: Client, pool: Pool): Promise<void> {
  await es.indices.delete({ index: FIXTURE_INDEX, ignore_unavailable: true });
  await pool.query('DELETE FROM logs WHERE timestamp >= $1 AND timestamp < $2 AND kafka_partition = $3', [
    new Date(FIXTURE_FROM).toISOString(),
    new Date(FIXTURE_TO).toISOString(),
    FIXTURE_PARTITION_MARK,
  ]);
}

/**
 * Bulk-loads the index with refresh off, then turns refresh back on and merges it to one
 * segment, as a finished day's index would be in production.
 */
export async function loadElasticsearch(es: Client, config: Config, count: number, progress: (done: number) => void): Promise<void> {
  // The template gives the index LogFlow's mappings and puts it behind the read alias.
  await installIndexTemplate(es, config);
  await es.indices.create({ index: FIXTURE_INDEX, settings: { refresh_interval: '-1' } });
  let done = 0;
  const result = await es.helpers.bulk<LogRecord>({
    datasource: fixtureLogs(count),
    onDocument: (log) => {
      done += 1;
      if (done % 100_000 === 0) progress(done);
      return { index: { _index: FIXTURE_INDEX, _id: log.id } };
    },
    flushBytes: 5_000_000,
    concurrency: 2,
    refreshOnCompletion: false,
  });
  if (result.failed > 0) throw new Error(`${result.failed} documents were refused`);
  await es.indices.putSettings({ index: FIXTURE_INDEX, settings: { refresh_interval: '1s' } });
  await es.indices.refresh({ index: FIXTURE_INDEX });
  // Merging takes minutes: started as a task and waited for, rather than held open as one request.
  const { task } = (await es.indices.forcemerge({ index: FIXTURE_INDEX, max_num_segments: 1, wait_for_completion: false })) as { task?: string };
  while (task && !(await es.tasks.get({ task_id: task })).completed) await sleep(2_000);
}

const INSERT = `INSERT INTO logs (id, timestamp, received_at, level, message, resource_id, trace_id, span_id, commit, metadata, kafka_partition, kafka_offset)
SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::jsonb[], $11::int[], $12::bigint[])`;

export async function loadPostgres(pool: Pool, count: number, progress: (done: number) => void): Promise<void> {
  const batch = 10_000;
  for (let start = 0; start < count; start += batch) {
    const logs = Array.from({ length: Math.min(batch, count - start) }, (_, k) => fixtureLog(start + k, count));
    await pool.query(INSERT, [
      logs.map((l) => l.id),
      logs.map((l) => l.timestamp),
      logs.map((l) => l.receivedAt),
      logs.map((l) => l.level),
      logs.map((l) => l.message),
      logs.map((l) => l.resourceId),
      logs.map((l) => l.traceId),
      logs.map((l) => l.spanId),
      logs.map((l) => l.commit),
      logs.map((l) => JSON.stringify(l.metadata)),
      logs.map(() => FIXTURE_PARTITION_MARK),
      logs.map((_, k) => start + k),
    ]);
    if ((start + batch) % 100_000 === 0) progress(start + batch);
  }
}

/**
 * The fixture of `count` logs in place: reused when both stores already hold exactly that many,
 * loaded afresh otherwise. Says what it did on the console.
 */
export async function ensureFixture(es: Client, pool: Pool, config: Config, count: number, withPostgres: boolean): Promise<void> {
  const existing = await fixtureCounts(es, pool);
  if (existing.elasticsearch === count && (!withPostgres || existing.postgres === count)) {
    console.log(`reusing the fixture of ${count.toLocaleString('en-US')} logs`);
    return;
  }
  const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);
  await dropFixture(es, pool);
  let started = performance.now();
  await loadElasticsearch(es, config, count, (done) => console.log(`  elasticsearch: ${done.toLocaleString('en-US')} logs`));
  console.log(`loaded ${count.toLocaleString('en-US')} logs into Elasticsearch (bulk, then merged to one segment) in ${seconds(started)} s`);
  if (!withPostgres) return;
  started = performance.now();
  await loadPostgres(pool, count, (done) => console.log(`  postgres: ${done.toLocaleString('en-US')} rows`));
  await pool.query('ANALYZE logs_default');
  console.log(`loaded ${count.toLocaleString('en-US')} rows into Postgres in ${seconds(started)} s`);
}

export interface FixtureRun {
  name: string;
  count: number;
  withPostgres: boolean;
  /** Leave the fixture for the next run. */
  keep: boolean;
  /** Only drop the fixture. */
  drop: boolean;
  queryPort: number;
}

/**
 * A benchmark's frame: the fixture in place, a query service on `queryPort` for `work`, then the
 * fixture dropped unless kept. When `work` fails, the query service's last lines say why.
 */
export async function withFixtureAndQuery(run: FixtureRun, work: (query: RunningRole) => Promise<void>): Promise<void> {
  const config = loadConfig();
  const es = createElasticsearch(config);
  const pool = createPool(config, createLogger({ logLevel: 'warn' }, 'bench'), { name: `logflow-bench-${run.name}`, max: 2 });
  try {
    if (run.drop) {
      await dropFixture(es, pool);
      console.log('fixture dropped');
      return;
    }
    await ensureFixture(es, pool, config, run.count, run.withPostgres);
    const query = await startRole('query', { QUERY_PORT: String(run.queryPort) });
    try {
      await work(query);
    } catch (error) {
      console.error(`query service output (last lines):\n${query.output.slice(-20).join('\n')}`);
      throw error;
    } finally {
      await query.stop();
    }
    if (!run.keep) {
      await dropFixture(es, pool);
      console.log('fixture dropped (use --keep to reuse it next time)');
    }
  } finally {
    await pool.end();
    await es.close();
  }
}
