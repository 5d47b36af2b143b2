import type { Config } from '@logflow/core/config';
import { createHttpServer } from '@logflow/core/http';
import type { Logger } from '@logflow/core/logger';
import { registerMetricsRoute } from '@logflow/core/metrics';
import type { Batch, Consumer, Kafka } from 'kafkajs';
import { z } from 'zod';
import { Backlog } from './backlog.ts';
import { BatchHeartbeat } from './batch-heartbeat.ts';
import { CommitProgress } from './commit-progress.ts';
import { fetchLags } from './consumer-lag.ts';
import { retryUntilDone, type BatchControl } from './retry.ts';
import { createSinkMetrics, type SinkMetrics } from './sink-metrics.ts';

const STOP_GRACE_MS = 15_000;

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
  /**
   * Write batches in the background, up to this many bytes of records at once, and commit each
   * partition as its leading batches are written. The consumer then fetches and decodes the
   * next records while the store is busy with the last ones. Without it each batch is written
   * before the next is fetched and its offset is committed right after (the PG sink's way).
   */
  pipelinedBytes?: number;
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

  const pipelined = options.pipelinedBytes !== undefined;
  const backlog = new Backlog(options.pipelinedBytes ?? 0);
  const progress = new CommitProgress();
  let generation = 0;
  let stopping = false;
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
    // Writes handed over before a rebalance finish but commit nothing: partitions restart from the group's committed offsets.
    generation++;
    progress.clear();
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

  const writeBatch = async (batch: Batch, control: BatchControl): Promise<boolean> => {
    metrics.batchRecords.observe(batch.messages.length);
    const attempt = options.prepareBatch(batch, metrics);
    const done = await retryUntilDone(attempt, control, logger, `writing partition ${batch.partition} from offset ${batch.firstOffset()}`, (error) => {
      metrics.writeFailures.inc();
      health.failingSince ??= new Date().toISOString();
      health.lastError = error instanceof Error ? error.message : String(error);
    });
    if (done) {
      health.lastWriteAt = new Date().toISOString();
      health.failingSince = null;
    }
    return done;
  };

  /** Heart-beats while `work` runs, so a slow store does not cost the group membership. */
  const withHeartbeats = async <T>(heartbeat: () => Promise<void>, work: (beat: BatchHeartbeat) => Promise<T>): Promise<T> => {
    const beat = new BatchHeartbeat(heartbeat, heartbeatInterval);
    beat.start();
    try {
      return await work(beat);
    } finally {
      beat.stop();
    }
  };

  /** Waits until the backlog has room for the batch; false (and nothing taken) if `giveUp` turns true first. */
  const waitForRoom = async (bytes: number, giveUp: () => boolean): Promise<boolean> => {
    let admitted = false;
    const acquired = backlog.acquire(bytes).then(() => {
      admitted = true;
    });
    while (!admitted && !giveUp()) await Promise.race([acquired, new Promise((resolve) => setTimeout(resolve, 100))]);
    if (!admitted) void acquired.then(() => backlog.release(bytes));
    return admitted;
  };

  let commits = Promise.resolve();
  const commit = (partition: number, offset: string) => {
    commits = commits
      .then(() => consumer.commitOffsets([{ topic, partition, offset }]))
      .catch((err: unknown) => logger.warn({ err, partition, offset }, 'commit failed; the records after the last commit will be written again'));
  };

  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatchAutoResolve: false,
    autoCommit: !pipelined,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
    eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
      if (!pipelined) {
        const done = await withHeartbeats(heartbeat, (beat) => writeBatch(batch, { isRunning, isStale, lostMembership: () => beat.lost }));
        // A batch sought away from (the PG sink moving to its stored offset) is not done either.
        if (!done || isStale()) return;
        resolveOffset(batch.lastOffset());
        await commitOffsetsIfNecessary();
        return;
      }
      const bytes = batch.messages.reduce((sum, m) => sum + (m.value?.length ?? 0), 0);
      const admitted = await withHeartbeats(heartbeat, (beat) => waitForRoom(bytes, () => beat.lost || !isRunning()));
      // The group rebalances (or the consumer stops) while the store is too slow to make room: let it rejoin; the batch comes again.
      if (!admitted) return;
      const handedOver = generation;
      progress.add(batch.partition, batch.lastOffset());
      // Resolving moves the fetch position only: with autoCommit off, nothing is committed until the write is done.
      resolveOffset(batch.lastOffset());
      const current = () => generation === handedOver && !stopping;
      void writeBatch(batch, { isRunning: current, isStale: () => false, lostMembership: () => false })
        .then((done) => {
          if (!done || !current()) return;
          const offset = progress.done(batch.partition, batch.lastOffset());
          if (offset !== undefined) commit(batch.partition, offset);
        })
        .catch((err: unknown) => logger.error({ err }, 'background write failed'))
        .finally(() => backlog.release(bytes));
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
    if (pipelined) {
      // Finish what was handed over and commit it before leaving; writes still failing after the grace period give up.
      consumer.pause([{ topic }]);
      const drained = backlog.drained();
      await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS))]);
      stopping = true;
      await drained;
      await commits;
    }
    await consumer.disconnect();
    health.consumer = 'stopped';
    await app.close();
    await admin.disconnect();
  };
}
