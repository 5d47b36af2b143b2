import type { Client } from '@elastic/elasticsearch';
import {
  type Config,
  createElasticsearch,
  createLogger,
  createPool,
  ensureTopics,
  type IndexNames,
  indexNames,
  loadConfig,
  type LogEvent,
  type LogRecord,
  type Pool,
  toLogRecord,
} from '@logflow/core';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

/**
 * A pipeline of its own for one test file: its own topic, DLQ topic and sink groups, so the
 * sinks under test read only what the test produced and the other roles on this machine
 * (a developer's `npm start`, another test run) neither see nor steal its records. The
 * stores are shared: every assertion is about this run's resource ids.
 */
export interface IsolatedPipeline {
  runId: string;
  config: Config;
  /** The installation's Elasticsearch names (its ES_INDEX_PREFIX). */
  names: IndexNames;
  /** Environment for `startRole` so the roles use this pipeline. */
  env: Record<string, string>;
  kafka: Kafka;
  es: Client;
  pool: Pool;
  produce(records: LogRecord[], partition?: number): Promise<void>;
  close(): Promise<void>;
}

export async function isolatedPipeline(name: string): Promise<IsolatedPipeline> {
  const runId = randomUUID().slice(0, 8);
  const env = {
    KAFKA_TOPIC: `logflow.test.${name}.${runId}`,
    KAFKA_DLQ_TOPIC: `logflow.test.${name}.${runId}.dlq`,
    ES_SINK_GROUP_ID: `logflow-es-sink-test-${runId}`,
    PG_SINK_GROUP_ID: `logflow-pg-sink-test-${runId}`,
    // A killed member is noticed within 6 s (the broker's minimum), not 30 s.
    SINK_SESSION_TIMEOUT_MS: '6000',
    ES_SINK_PORT: '0',
    PG_SINK_PORT: '0',
  };
  const config = loadConfig({ ...process.env, ...env });
  const kafka = new Kafka({ clientId: `test-${name}`, brokers: config.kafka.brokers, logLevel: logLevel.ERROR });
  await ensureTopics(kafka, config);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  const es = createElasticsearch(config);
  const pool = createPool(config, createLogger({ logLevel: 'warn' }, 'test'), { name: `logflow-test-${name}`, max: 3 });

  return {
    runId,
    config,
    names: indexNames(config.elasticsearch.indexPrefix),
    env,
    kafka,
    es,
    pool,
    async produce(records, partition) {
      for (let i = 0; i < records.length; i += 2_000) {
        await producer.send({
          topic: config.kafka.topic,
          acks: -1,
          messages: records.slice(i, i + 2_000).map((r) => ({ key: r.id, value: JSON.stringify(r), partition })),
        });
      }
    },
    async close() {
      await producer.disconnect();
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteGroups([env.ES_SINK_GROUP_ID, env.PG_SINK_GROUP_ID]).catch(() => undefined);
      await admin.deleteTopics({ topics: [config.kafka.topic, config.kafka.dlqTopic] }).catch(() => undefined);
      await admin.disconnect();
      await pool.query('DELETE FROM sink_offsets WHERE topic = $1', [config.kafka.topic]);
      await pool.query('DELETE FROM dlq_replays WHERE topic = $1', [config.kafka.dlqTopic]);
      await pool.end();
      await es.close();
    },
  };
}

/** A log as the ingester would have made it, with a UUIDv7 id and receivedAt now. */
export function logRecord(event: Partial<LogEvent> & { resourceId: string }, receivedAt = new Date()): LogRecord {
  const full: LogEvent = { level: 'info', message: 'request served', timestamp: new Date().toISOString(), metadata: {}, ...event };
  return toLogRecord(full, uuidv7(), receivedAt.toISOString());
}

/** Rows and distinct ids in Postgres for one resource. */
export async function pgCounts(pool: Pool, resourceId: string): Promise<{ rows: number; ids: number }> {
  const result = await pool.query<{ rows: string; ids: string }>('SELECT count(*) AS rows, count(DISTINCT id) AS ids FROM logs WHERE resource_id = $1', [resourceId]);
  return { rows: Number(result.rows[0]!.rows), ids: Number(result.rows[0]!.ids) };
}

/** Documents and distinct ids in Elasticsearch for one resource, read exactly (every id, page by page). */
export async function esCounts({ es, names }: Pick<IsolatedPipeline, 'es' | 'names'>, resourceId: string): Promise<{ docs: number; ids: number }> {
  await es.indices.refresh({ index: names.readAlias, ignore_unavailable: true, allow_no_indices: true });
  const ids = new Set<string>();
  let docs = 0;
  let after: estypesSortResults | undefined;
  for (;;) {
    const page = await es.search({
      index: names.readAlias,
      ignore_unavailable: true,
      allow_no_indices: true,
      size: 10_000,
      _source: false,
      docvalue_fields: ['id'],
      query: { term: { resourceId } },
      sort: [{ id: 'asc' }, { _index: 'asc' }],
      ...(after ? { search_after: after } : {}),
    });
    const hits = page.hits.hits;
    if (hits.length === 0) return { docs, ids: ids.size };
    docs += hits.length;
    for (const hit of hits) ids.add(String(hit.fields?.id?.[0]));
    after = hits.at(-1)!.sort;
  }
}
type estypesSortResults = NonNullable<Awaited<ReturnType<Client['search']>>['hits']['hits'][number]['sort']>;

/** Sink roles of the isolated pipeline, a given HTTP port each. */
export function sinkEnv(pipeline: IsolatedPipeline, port: number): Record<string, string> {
  return { ...pipeline.env, ES_SINK_PORT: String(port), PG_SINK_PORT: String(port) };
}
