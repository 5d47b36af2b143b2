import type { PipelineStatus } from '@logflow/common';
import type { Client } from '@elastic/elasticsearch';
import { type Config, type IndexNames, ledgerKey, logsWritten, type Pool, readLedger, readWritePlan, sinkGroups } from '@logflow/core';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Admin } from 'kafkajs';

export interface PipelineDeps {
  config: Config;
  names: IndexNames;
  es: Client;
  pool: Pool;
  kafkaAdmin: Admin;
  queue: Queue;
  redis: Redis;
}

/** Beyond this many rows (by the planner's estimate) `count(*)` would take seconds: the estimate is given instead. */
const EXACT_COUNT_LIMIT = 5_000_000;

async function countLogs(pool: Pool): Promise<{ count: number; exact: boolean }> {
  const estimate = await pool.query<{ n: string | null }>(
    `SELECT sum(greatest(c.reltuples, 0))::bigint AS n FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'logs'::regclass`,
  );
  const estimated = Number(estimate.rows[0]?.n ?? 0);
  if (estimated > EXACT_COUNT_LIMIT) return { count: estimated, exact: false };
  const exact = await pool.query<{ n: string }>('SELECT count(*) AS n FROM logs');
  return { count: Number(exact.rows[0]!.n), exact: true };
}

async function consumerLag(deps: PipelineDeps): Promise<PipelineStatus['consumerLag']> {
  const topic = deps.config.kafka.topic;
  const ends = await deps.kafkaAdmin.fetchTopicOffsets(topic);
  const rows: PipelineStatus['consumerLag'] = [];
  for (const group of Object.values(sinkGroups(deps.config))) {
    const [offsets] = await deps.kafkaAdmin.fetchOffsets({ groupId: group, topics: [topic] });
    const committedBy = new Map(offsets?.partitions.map((p) => [p.partition, Number(p.offset)]));
    for (const { partition, high, low } of ends) {
      const committed = committedBy.get(partition) ?? -1;
      const end = Number(high);
      rows.push({ group, partition, committed, end, lag: Math.max(0, end - (committed < 0 ? Number(low) : committed)) });
    }
  }
  return rows.sort((a, b) => a.group.localeCompare(b.group) || a.partition - b.partition);
}

async function dlqSize(deps: PipelineDeps): Promise<number> {
  const topics = await deps.kafkaAdmin.listTopics();
  if (!topics.includes(deps.config.kafka.dlqTopic)) return 0;
  const offsets = await deps.kafkaAdmin.fetchTopicOffsets(deps.config.kafka.dlqTopic);
  return offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
}

async function lastReconcile(pool: Pool): Promise<Record<string, unknown> | null> {
  const result = await pool.query(
    `SELECT id::int AS id, job_id AS "jobId", status, started_at AS "startedAt", finished_at AS "finishedAt", range_from AS "from",
       range_to AS "to", watermark, ranges_checked AS "rangesChecked", leaves_diffed AS "leavesDiffed",
       logs_checked::int AS "logsChecked", missing_found AS "missingFound", replayed, replay_refused AS "replayRefused",
       outdated_replaced AS "outdatedReplaced", extra_found AS "extraFound", extra_removed AS "extraRemoved",
       twins_removed AS "twinsRemoved", duration_ms AS "durationMs", error
     FROM reconcile_runs WHERE status IN ('completed', 'failed') ORDER BY id DESC LIMIT 1`,
  );
  return (result.rows[0] as Record<string, unknown> | undefined) ?? null;
}

/** How long the status waits for Redis: a Redis that does not answer must not hang the page. */
const REDIS_WAIT_MS = 2_000;

/** The value, or undefined when Redis did not give it within REDIS_WAIT_MS (down, or reconnecting). */
async function fromRedis<T>(read: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), REDIS_WAIT_MS)));
  try {
    return await Promise.race([read.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Consumer lag per group and partition, both stores' counts, the ledger, the last reconcile, the DLQ's size and the admin queue. */
export async function pipelineStatus(deps: PipelineDeps): Promise<PipelineStatus> {
  await deps.kafkaAdmin.connect();
  const [lag, esCount, plan, postgres, reconcile, dlq, jobs, redisCounts, pgWritten] = await Promise.all([
    consumerLag(deps),
    deps.es.count({ index: deps.names.readAlias, ignore_unavailable: true, allow_no_indices: true }),
    readWritePlan(deps.es, deps.names),
    countLogs(deps.pool),
    lastReconcile(deps.pool),
    dlqSize(deps),
    fromRedis(deps.queue.getJobCounts('active', 'waiting', 'delayed', 'completed', 'failed')),
    fromRedis(readLedger(deps.redis, ledgerKey(deps.config))),
    logsWritten(deps.pool, deps.config.kafka.topic),
  ]);
  return {
    consumerLag: lag,
    elasticsearch: { count: esCount.count, writeGeneration: plan.generation, cutoverAt: plan.cutoverAt ?? null },
    postgres,
    lastReconcile: reconcile,
    dlq: { topic: deps.config.kafka.dlqTopic, messages: dlq },
    ledger: { accepted: redisCounts?.accepted ?? null, postgresWritten: pgWritten, elasticsearchIndexed: redisCounts?.elasticsearchIndexed ?? null },
    jobs: jobs ?? null,
    unavailable: [
      ...(redisCounts ? [] : [`ledger.accepted and ledger.elasticsearchIndexed: Redis did not answer within ${REDIS_WAIT_MS} ms`]),
      ...(jobs ? [] : [`jobs: the admin queue (Redis) did not answer within ${REDIS_WAIT_MS} ms`]),
    ],
  };
}
