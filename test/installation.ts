import type { Client } from '@elastic/elasticsearch';
import {
  type Config,
  createAdminQueue,
  createElasticsearch,
  createKafka,
  createLogger,
  createPool,
  createRedis,
  ensureTopics,
  indexNames,
  type IndexNames,
  ledgerKey,
  loadConfig,
  type LogRecord,
  LogIdGenerator,
  type Pool,
  runMigrations,
  sinkGroups,
} from '@logflow/core';
import type { Queue } from 'bullmq';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { eventually } from './roles.ts';

/**
 * A LogFlow installation of its own on the shared engines: its own Kafka topics and consumer
 * groups, Elasticsearch index prefix, Postgres schema and BullMQ prefix. Reconcile, reindex
 * and retention act on a whole installation, so a test gets one and may then count, delete
 * indices and reindex freely without touching what other engineers' runs created.
 */
export interface Installation {
  env: Record<string, string>;
  config: Config;
  names: IndexNames;
  es: Client;
  pool: Pool;
  kafka: Kafka;
  queue: Queue;
  produce(records: LogRecord[]): Promise<void>;
  /** Both stores' counts of the whole installation (refreshed first). */
  counts(): Promise<{ pg: number; es: number }>;
  /** Waits until both stores hold `expected` logs. */
  settled(expected: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Settings that make a test's jobs quick: short settle and plan refresh, a dead worker's job retried within seconds. */
const QUICK = {
  RECONCILE_EVERY: 'off',
  RECONCILE_SETTLE: '2s',
  ES_GENERATION_REFRESH_MS: '1000',
  ADMIN_JOB_LOCK_MS: '5000',
};

/** `quick: false` keeps every job setting at its default, as `npm start` runs (the system benchmark). */
export async function createInstallation(name: string, extra: Record<string, string> = {}, { quick = true } = {}): Promise<Installation> {
  const id = randomBytes(4).toString('hex');
  const env = {
    ...(quick ? QUICK : {}),
    KAFKA_TOPIC: `lftest.${name}.${id}`,
    KAFKA_DLQ_TOPIC: `lftest.${name}.${id}.dlq`,
    KAFKA_TOPIC_PARTITIONS: '3',
    KAFKA_GROUP_PREFIX: `lftest-${id}.`,
    ES_INDEX_PREFIX: `lftest-${name}-${id}`,
    DATABASE_SCHEMA: `lftest_${name.replaceAll('-', '_')}_${id}`,
    BULLMQ_PREFIX: `lftest-${id}`,
    ...extra,
  };
  const config = loadConfig({ ...process.env, ...env });
  const logger = createLogger({ logLevel: 'warn' }, `test-${name}`);
  const kafka = createKafka(config, logger, `lftest-${name}`);
  await ensureTopics(kafka, config);
  const producer: Producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  const pool = createPool(config, logger, { name: `lftest-${name}`, max: 4 });
  await runMigrations(pool, config.postgres.schema);
  const es = createElasticsearch(config);
  const redis = createRedis(config, logger);
  const queue = createAdminQueue(config, redis);
  const names = indexNames(config.elasticsearch.indexPrefix);

  const counts = async () => {
    await es.indices.refresh({ index: names.readAlias, ignore_unavailable: true, allow_no_indices: true });
    const [pg, esCount] = await Promise.all([pool.query<{ n: string }>('SELECT count(*) AS n FROM logs'), es.count({ index: names.readAlias, ignore_unavailable: true, allow_no_indices: true })]);
    return { pg: Number(pg.rows[0]!.n), es: esCount.count };
  };

  return {
    env,
    config,
    names,
    es,
    pool,
    kafka,
    queue,
    counts,
    async produce(records) {
      for (let i = 0; i < records.length; i += 2_000) {
        await producer.send({
          topic: config.kafka.topic,
          acks: -1,
          messages: records.slice(i, i + 2_000).map((r) => ({ key: r.id, value: JSON.stringify(r) })),
        });
      }
    },
    async settled(expected, timeoutMs = 90_000) {
      await eventually(
        async () => {
          const now = await counts();
          return now.pg === expected && now.es === expected ? true : undefined;
        },
        timeoutMs,
        500,
      );
    },
    async close() {
      // Every step runs even when one before it failed: leftovers would outlive the test run.
      const failures: unknown[] = [];
      const step = (work: () => Promise<unknown>) => work().catch((error: unknown) => failures.push(error));
      await step(() => producer.disconnect());
      await step(() => queue.obliterate({ force: true }));
      await step(() => queue.close());
      await step(() => redis.del(ledgerKey(config)));
      redis.disconnect();
      const admin = kafka.admin();
      await step(async () => {
        await admin.connect();
        await admin.deleteGroups(Object.values(sinkGroups(config)));
      });
      await step(() => admin.deleteTopics({ topics: [config.kafka.topic, config.kafka.dlqTopic] }));
      await step(() => admin.disconnect());
      await step(async () => {
        // Deletes name their indices: Elasticsearch refuses wildcards in deletes by default.
        const indices = await es.cat.indices({ index: [`${names.prefix}-*`, `${names.generations}*`], format: 'json', h: 'index' });
        const doomed = indices.map((row) => row.index!);
        for (let i = 0; i < doomed.length; i += 50) await es.indices.delete({ index: doomed.slice(i, i + 50), ignore_unavailable: true });
      });
      await step(async () => {
        const templates = await es.indices.getIndexTemplate({ name: `${names.template}*` }, { ignore: [404] });
        for (const { name } of templates.index_templates ?? []) await es.indices.deleteIndexTemplate({ name });
      });
      await step(() => pool.query(`DROP SCHEMA IF EXISTS "${config.postgres.schema}" CASCADE`));
      await step(() => pool.end());
      await step(() => es.close());
      if (failures.length > 0) console.warn(`cleaning up installation ${config.postgres.schema} partly failed:`, failures);
    },
  };
}

/** Records as the ingester makes them, tagged with a resourceId, received at `receivedAt` (default now). */
export function makeRecords(count: number, resourceId: string, receivedAt = new Date().toISOString(), timestamp = '2023-09-15T08:00:00.000Z'): LogRecord[] {
  const ids = new LogIdGenerator();
  return Array.from({ length: count }, (_, i) => ({
    id: ids.next(),
    receivedAt,
    level: i % 10 === 0 ? 'error' : 'info',
    message: `log ${i} of ${resourceId}`,
    timestamp,
    resourceId,
    traceId: `trace-${i % 100}`,
    spanId: undefined,
    commit: undefined,
    metadata: { parentResourceId: 'server-0987', n: i },
  }));
}

export interface JobOutcome<T> {
  id: string;
  state: string;
  result: T;
  failedReason: string | null;
  progress: unknown;
}

/** Queues a job through the admin API and waits for its end. */
export async function runJobThroughApi<T>(queryUrl: string, name: string, data: unknown = {}, timeoutMs = 120_000): Promise<JobOutcome<T>> {
  const queued = await fetch(`${queryUrl}/api/admin/jobs/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(data),
  });
  if (queued.status !== 202) throw new Error(`POST ${name} answered ${queued.status}: ${await queued.text()}`);
  const { id } = (await queued.json()) as { id: string };
  return waitForJob<T>(queryUrl, id, timeoutMs);
}

export async function waitForJob<T>(queryUrl: string, id: string, timeoutMs = 120_000): Promise<JobOutcome<T>> {
  return eventually(
    async () => {
      const job = (await (await fetch(`${queryUrl}/api/admin/jobs/${id}`)).json()) as JobOutcome<T>;
      return job.state === 'completed' || job.state === 'failed' ? job : undefined;
    },
    timeoutMs,
    250,
  );
}

/** `count` distinct items picked uniformly at random (a partial Fisher-Yates shuffle). */
export function sample<T>(items: readonly T[], count: number): T[] {
  const pool = [...items];
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(Math.random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, count);
}
