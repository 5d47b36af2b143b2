import type { Client, estypes } from '@elastic/elasticsearch';
import { createElasticsearch, createKafka, createLogger, createPool, indexNames, loadConfig, type Pool, sinkGroups } from '@logflow/core';
import { randomUUID } from 'node:crypto';
import { eventually, INGESTER_URL, QUERY_URL, startRole, type RunningRole } from './roles.ts';

/**
 * The whole pipeline (ingester → Kafka → sinks → Elasticsearch/Postgres → query) on a topic of
 * its own, so the sinks under test read only what this file produced and never wait behind
 * other traffic on the shared topic. The stores are shared: each test file's logs carry
 * timestamps in a random second of the 1990s (`base`), and every assertion looks only there.
 */
export interface QueryPipeline {
  run: string;
  /** The first millisecond of this run's timestamps. */
  base: number;
  env: Record<string, string>;
  roles: Map<string, RunningRole>;
  es: Client;
  pool: Pool;
  /** POSTs the logs to the ingester in arrays of up to 1000; resolves with their ids in order. */
  ingest(logs: object[]): Promise<string[]>;
  /** Resolves once Elasticsearch finds `count` logs for the query (refreshing the alias first). */
  waitSearchable(query: estypes.QueryDslQueryContainer, count: number, timeoutMs?: number): Promise<void>;
  /** GET on the query service; the parsed JSON body and the status. */
  get<T = any>(path: string, params?: Record<string, string | string[]>): Promise<{ status: number; body: T }>;
  startRole(role: string, env?: Record<string, string>): Promise<RunningRole>;
  close(): Promise<void>;
}

export function isoAt(ms: number): string {
  return new Date(ms).toISOString();
}

export function queryString(params: Record<string, string | string[]>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) for (const v of [value].flat()) search.append(key, v);
  return search.toString();
}

export async function startQueryPipeline(name: string, roles: string[], roleEnv: Record<string, string> = {}): Promise<QueryPipeline> {
  const run = randomUUID().slice(0, 8);
  const env = {
    KAFKA_TOPIC: `logflow.test.${name}.${run}`,
    KAFKA_DLQ_TOPIC: `logflow.test.${name}.${run}.dlq`,
    KAFKA_TOPIC_PARTITIONS: '3',
    // Consumer groups of its own: a group shared with other runs would rebalance whenever any of them starts or stops.
    KAFKA_GROUP_PREFIX: `lftest-${run}.`,
  };
  const config = loadConfig({ ...process.env, ...env });
  const es = createElasticsearch(config);
  const { readAlias } = indexNames(config.elasticsearch.indexPrefix);
  const pool = createPool(config, createLogger({ logLevel: 'warn' }, 'test'), { name: `logflow-test-${name}`, max: 2 });
  const base = Date.UTC(1990, 0, 1) + Math.floor(Math.random() * 10 * 365 * 86_400) * 1_000;
  const running = new Map<string, RunningRole>();
  const start = async (role: string, extra: Record<string, string> = {}) => {
    const started = await startRole(role, { ...env, ...roleEnv, ...extra });
    running.set(role, started);
    return started;
  };
  // The ingester first: it creates the topics the sinks subscribe to.
  if (roles.includes('ingester')) await start('ingester');
  await Promise.all(roles.filter((r) => r !== 'ingester').map((role) => start(role)));

  return {
    run,
    base,
    env,
    roles: running,
    es,
    pool,
    startRole: start,
    async ingest(logs) {
      const ids: string[] = [];
      for (let i = 0; i < logs.length; i += 1000) {
        const response = await fetch(`${INGESTER_URL}/logs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(logs.slice(i, i + 1000)),
        });
        const body = (await response.json()) as { ids?: string[] };
        if (response.status !== 202 || !body.ids) throw new Error(`ingester answered ${response.status}: ${JSON.stringify(body)}`);
        ids.push(...body.ids);
      }
      return ids;
    },
    async waitSearchable(query, count, timeoutMs = 60_000) {
      let seen = -1;
      await eventually(
        async () => {
          await es.indices.refresh({ index: readAlias, ignore_unavailable: true, allow_no_indices: true });
          seen = (await es.count({ index: readAlias, ignore_unavailable: true, allow_no_indices: true, query })).count;
          if (seen > count) throw new Error(`found ${seen} logs, more than the ${count} expected`);
          return seen === count ? true : undefined;
        },
        timeoutMs,
        500,
      ).catch((error: Error) => {
        throw new Error(`${error.message} (searchable: ${seen} of ${count})`);
      });
    },
    async get(path, params = {}) {
      const qs = queryString(params);
      const response = await fetch(`${QUERY_URL}${path}${qs ? `?${qs}` : ''}`);
      return { status: response.status, body: (await response.json()) as never };
    },
    async close() {
      await Promise.all([...running.values()].map((role) => role.stop()));
      const kafka = createKafka(config, createLogger({ logLevel: 'silent' }, 'test'), 'logflow-test-cleanup');
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [env.KAFKA_TOPIC, env.KAFKA_DLQ_TOPIC] }).catch(() => undefined);
      await admin.deleteGroups(Object.values(sinkGroups(config))).catch(() => undefined);
      await admin.disconnect();
      await pool.query('DELETE FROM sink_offsets WHERE topic = $1', [env.KAFKA_TOPIC]);
      await pool.end();
      await es.close();
    },
  };
}

/** A range query on timestamp over this run's logs: [base + fromMs, base + toMs). */
export function runRange(pipeline: QueryPipeline, fromMs = 0, toMs = 60_000) {
  return { from: isoAt(pipeline.base + fromMs), to: isoAt(pipeline.base + toMs) };
}

export { QUERY_URL, INGESTER_URL };
