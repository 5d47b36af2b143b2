import type { Config } from '@logflow/core/config';
import { createHttpServer } from '@logflow/core/http';
import type { Logger } from '@logflow/core/logger';
import { registerMetricsRoute } from '@logflow/core/metrics';
import type { Batch, Consumer, Kafka } from 'kafkajs';
import { z } from 'zod';
import { BatchHeartbeat } from './batch-heartbeat.ts';
import { fetchLags } from './consumer-lag.ts';
import { retryUntilDone } from './retry.ts';
import { createSinkMetrics, type SinkMetrics } from './sink-metrics.ts';

/** One try at writing a batch; throws to be retried with backoff. Made once per batch, so it can keep what is left to do. */
export type BatchAttempt = () => Promise<void>;

export interface SinkOptions {
  role: string;
  groupId: string;
  http: { host: string; port: number };
  kafka: Kafka;
  /** Batches (one per partition) written at the same time. */
  partitionsConsumedConcurrently: number;
  /** Fetch sizes: what one Kafka batch of a partition, and one fetch in all, may hold. */
  maxBytesPerPartition: number;
  maxBytes: number;
  prepareBatch(batch: Batch, metrics: SinkMetrics): BatchAttempt;
  /** Called on every assignment (start and each rebalance) with the partitions now owned. */
  onAssignment?(consumer: Consumer, partitions: number[]): void;
}

const healthSchema = z.object({
  status: z.enum(['ok', 'degraded', 'down']),
  groupId: z.string(),
  consumer: z.enum(['starting', 'running', 'crashed', 'stopped']),
  partitions: z.array(z.number().int()),
  lastWriteAt: z.string().nullable(),
  failingSince: z.string().nullable(),
  lastError: z.string().nullable(),
});
type Health = z.infer<typeof healthSchema>;

/**
 * The part both sinks share: a consumer group member that writes each batch until the store
 * acknowledged it (heart-beating meanwhile), only then resolves and commits its offsets, and
 * serves `/metrics` and `/healthz`. The returned function stops gracefully: the batch in
 * hand is finished and committed, then the member leaves the group.
 */
export async function runSinkConsumer(config: Config, logger: Logger, options: SinkOptions): Promise<() => Promise<void>> {
  const topic = config.kafka.topic;
  const owned = new Set<number>();
  const health: Omit<Health, 'status' | 'partitions'> = {
    groupId: options.groupId,
    consumer: 'starting',
    lastWriteAt: null,
    failingSince: null,
    lastError: null,
  };

  const admin = options.kafka.admin();
  await admin.connect();
  const metrics = createSinkMetrics(options.role, async (gauge) => {
    gauge.reset();
    try {
      for (const { partition, lag } of await fetchLags(admin, options.groupId, topic, owned)) {
        gauge.set({ topic, partition: String(partition) }, lag);
      }
    } catch (err) {
      logger.warn({ err }, 'could not measure consumer lag');
    }
  });

  const sessionTimeout = config.sinks.sessionTimeoutMs;
  const heartbeatInterval = Math.min(3_000, Math.floor(sessionTimeout / 5));
  const consumer = options.kafka.consumer({
    groupId: options.groupId,
    sessionTimeout,
    heartbeatInterval,
    maxBytesPerPartition: options.maxBytesPerPartition,
    maxBytes: options.maxBytes,
    // An idle fetch returns within 1 s, so a stop does not wait out kafkajs's 5 s default.
    maxWaitTimeInMs: 1_000,
  });
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const partitions = payload.memberAssignment[topic] ?? [];
    owned.clear();
    for (const p of partitions) owned.add(p);
    metrics.rebalances.inc();
    logger.info({ groupId: options.groupId, partitions }, 'joined the consumer group');
    options.onAssignment?.(consumer, partitions);
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    logger.error({ err: payload.error, restart: payload.restart }, 'consumer crashed');
    if (!payload.restart) health.consumer = 'crashed';
  });

  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
    eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
      metrics.batchRecords.observe(batch.messages.length);
      const attempt = options.prepareBatch(batch, metrics);
      const beat = new BatchHeartbeat(heartbeat, heartbeatInterval);
      beat.start();
      let done: boolean;
      try {
        done = await retryUntilDone(
          attempt,
          { isRunning, isStale, lostMembership: () => beat.lost },
          logger,
          `writing partition ${batch.partition} from offset ${batch.firstOffset()}`,
          (error) => {
            metrics.writeFailures.inc();
            health.failingSince ??= new Date().toISOString();
            health.lastError = error instanceof Error ? error.message : String(error);
          },
        );
      } finally {
        beat.stop();
      }
      // A batch sought away from (the PG sink moving to its stored offset) is not done either.
      if (!done || isStale()) return;
      health.lastWriteAt = new Date().toISOString();
      health.failingSince = null;
      resolveOffset(batch.lastOffset());
      await commitOffsetsIfNecessary();
    },
  });
  health.consumer = 'running';

  const app = createHttpServer({ logger });
  registerMetricsRoute(app, metrics.registry);
  app.get('/healthz', { schema: { response: { 200: healthSchema, 503: healthSchema } } }, async (_request, reply) => {
    const up = health.consumer === 'running' || health.consumer === 'starting';
    const status = !up ? 'down' : health.failingSince ? 'degraded' : 'ok';
    return reply.status(up ? 200 : 503).send({ ...health, status, partitions: [...owned].sort((a, b) => a - b) });
  });
  await app.listen({ host: options.http.host, port: options.http.port });

  return async () => {
    await consumer.disconnect();
    health.consumer = 'stopped';
    await app.close();
    await admin.disconnect();
  };
}
