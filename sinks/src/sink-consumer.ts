import { type Config, countKafkaRequests, createHttpServer, type Logger, registerMetricsRoute } from '@logflow/core';
import type { Admin, Batch, Consumer, ConsumerConfig } from 'kafkajs';
import { z } from 'zod';
import { Backlog } from './backlog.ts';
import { BatchHeartbeat } from './batch-heartbeat.ts';
import { CommitProgress } from './commit-progress.ts';
import { OffsetCommits } from './offset-commits.ts';
import { fetchLags } from './consumer-lag.ts';
import { retryUntilDone } from './retry.ts';
import { createSinkMetrics, type SinkMetrics } from './sink-metrics.ts';
import { setTimeout as sleep } from 'node:timers/promises';

/** How long a stop waits for the writes handed over before giving up on those still failing. */
const STOP_GRACE_MS = 15_000;
/**
 * A fetch waits at the broker until this much is there or FETCH_MAX_WAIT_MS has passed. With
 * kafkajs's default (1 byte) every small produce answered both groups' waiting fetches at
 * once: under a few hundred single-log requests a second the sinks wrote batches of one or
 * two logs, a Postgres transaction or a bulk request each, and Kafka spent a quarter core
 * answering fetches. Under load the bytes are there at once; the wait only bounds what a
 * trickle adds to ingest→searchable (Elasticsearch's 1 s refresh is most of it anyway), and
 * sets how often an idle sink asks: at 250 ms the two idle sinks used 2.4 % of a core.
 */
export const FETCH_MIN_BYTES = 128 * 1024;
export const FETCH_MAX_WAIT_MS = 500;
/** At most one OffsetCommit a second per sink (see OffsetCommits); kafkajs's own auto-commit waits 5 s. */
const COMMIT_INTERVAL_MS = 1_000;

/**
 * One try at writing a batch; throws to be retried with backoff. Made once per batch, so it
 * can keep what is left to do. 'sought' means it moved the partition elsewhere instead.
 */
export type BatchAttempt = () => Promise<void | 'sought'>;

/** Moves a partition's fetch position; batches of it handed over before are then dropped. */
export type Seek = (partition: number, offset: string) => void;

/** What the runner uses of a kafkajs consumer: a fake with the same contract runs it in unit tests, without Kafka. */
export type SinkKafkaConsumer = Pick<Consumer, 'connect' | 'subscribe' | 'run' | 'on' | 'events' | 'seek' | 'commitOffsets' | 'pause' | 'disconnect'>;

/** Where the runner gets its consumer and admin client: kafkajs's `Kafka`, or a fake in unit tests. */
export interface SinkKafka {
  consumer(config: ConsumerConfig): SinkKafkaConsumer;
  admin(): Pick<Admin, 'connect' | 'disconnect' | 'fetchTopicOffsets' | 'fetchOffsets'>;
}

export interface SinkOptions {
  role: string;
  groupId: string;
  http: { host: string; port: number };
  kafka: SinkKafka;
  /** Fetch sizes: what one Kafka batch of a partition, and one fetch in all, may hold. */
  maxBytesPerPartition: number;
  maxBytes: number;
  prepareBatch(batch: Batch, metrics: SinkMetrics, seek: Seek): BatchAttempt;
  /**
   * Batches are written in the background, up to this many bytes of records at once, and each
   * partition is committed as its leading batches are written: the consumer fetches and
   * decodes the next records while the store is busy with the last ones.
   */
  backlogBytes: number;
  /** In the background, write a partition's batches one after the other, in offset order. */
  inOrderPerPartition?: boolean;
  /** Called on every assignment (start and each rebalance) with the partitions now owned. */
  onAssignment?(seek: Seek, partitions: number[]): void;
  /** COMMIT_INTERVAL_MS and STOP_GRACE_MS unless given; unit tests shorten them. */
  commitIntervalMs?: number;
  stopGraceMs?: number;
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
 * The part both sinks share: a consumer group member that hands each batch to a background
 * writer, which retries until the store acknowledged it, and commits a partition's offset
 * only past batches that are written; it serves `/metrics` and `/healthz`. The returned
 * function stops gracefully: what was handed over is finished and committed, then the member
 * leaves the group.
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

  const backlog = new Backlog(options.backlogBytes);
  const progress = new CommitProgress();
  /** The last background write of each partition, when they must run one after the other. */
  const chains = new Map<number, Promise<void>>();
  let generation = 0;
  /** Per partition, bumped by every seek: what was handed over before is not written or committed. */
  const epochs = new Map<number, number>();
  let stopping = false;
  const sessionTimeout = config.sinks.sessionTimeoutMs;
  const heartbeatInterval = Math.min(3_000, Math.floor(sessionTimeout / 5));
  const consumer = options.kafka.consumer({
    groupId: options.groupId,
    sessionTimeout,
    heartbeatInterval,
    maxBytesPerPartition: options.maxBytesPerPartition,
    maxBytes: options.maxBytes,
    minBytes: FETCH_MIN_BYTES,
    // Also keeps a stop from waiting out kafkajs's 5 s default.
    maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
  });
  countKafkaRequests(metrics.registry, 'consumer', consumer);
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    // Writes handed over before a rebalance finish but commit nothing: partitions restart from the group's committed offsets.
    generation++;
    progress.clear();
    chains.clear();
    const partitions = payload.memberAssignment[topic] ?? [];
    owned.clear();
    for (const p of partitions) owned.add(p);
    metrics.rebalances.inc();
    logger.info({ groupId: options.groupId, partitions }, 'joined the consumer group');
    options.onAssignment?.(seek, partitions);
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    logger.error({ err: payload.error, restart: payload.restart }, 'consumer crashed');
    if (!payload.restart) health.consumer = 'crashed';
  });

  const seek: Seek = (partition, offset) => {
    epochs.set(partition, (epochs.get(partition) ?? 0) + 1);
    progress.clear(partition);
    consumer.seek({ topic, partition, offset });
  };

  const writeBatch = async (batch: Batch, stillWanted: () => boolean): Promise<boolean> => {
    metrics.batchRecords.observe(batch.messages.length);
    const attempt = options.prepareBatch(batch, metrics, seek);
    const done = await retryUntilDone(attempt, stillWanted, logger, `writing partition ${batch.partition} from offset ${batch.firstOffset()}`, (error) => {
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

  /** Heart-beats while `work` runs: waiting for a slow store must not cost the group membership. */
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
    while (!admitted && !giveUp()) await Promise.race([acquired, sleep(100)]);
    if (!admitted) void acquired.then(() => backlog.release(bytes));
    return admitted;
  };

  const commits = new OffsetCommits(
    (offsets) => consumer.commitOffsets(offsets.map(({ partition, offset }) => ({ topic, partition, offset }))),
    (err, offsets) => logger.warn({ err, offsets }, 'commit failed; the records after the last commit will be written again'),
    options.commitIntervalMs ?? COMMIT_INTERVAL_MS,
  );

  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatchAutoResolve: false,
    // Offsets are committed by the writer, once a batch and every one before it are written.
    autoCommit: false,
    // kafkajs types these as methods, but builds them as closures over the batch: safe to destructure.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning }) => {
      const bytes = batch.messages.reduce((sum, m) => sum + (m.value?.length ?? 0), 0);
      const admitted = await withHeartbeats(heartbeat, (beat) => waitForRoom(bytes, () => beat.lost || !isRunning()));
      // The group rebalances (or the consumer stops) while the store is too slow to make room: let it rejoin; the batch comes again.
      if (!admitted) return;
      const { partition } = batch;
      const handedOver = { generation, epoch: epochs.get(partition) ?? 0 };
      progress.add(partition, batch.lastOffset());
      // Resolving moves the fetch position only: nothing is committed until the write is done.
      resolveOffset(batch.lastOffset());
      const current = () => generation === handedOver.generation && (epochs.get(partition) ?? 0) === handedOver.epoch && !stopping;
      const write = async () => {
        const done = await writeBatch(batch, current);
        if (!done || !current()) return;
        const offset = progress.done(partition, batch.lastOffset());
        if (offset !== undefined) commits.commit(partition, offset);
      };
      const written = (options.inOrderPerPartition ? (chains.get(partition) ?? Promise.resolve()) : Promise.resolve())
        .then(write)
        .catch((err: unknown) => logger.error({ err }, 'background write failed'))
        .finally(() => backlog.release(bytes));
      if (options.inOrderPerPartition) chains.set(partition, written);
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
    // Finish what was handed over and commit it before leaving; writes still failing after the grace period give up.
    consumer.pause([{ topic }]);
    const drained = backlog.drained();
    await Promise.race([drained, sleep(options.stopGraceMs ?? STOP_GRACE_MS)]);
    stopping = true;
    await drained;
    await commits.settled();
    await consumer.disconnect();
    health.consumer = 'stopped';
    await app.close();
    await admin.disconnect();
  };
}
