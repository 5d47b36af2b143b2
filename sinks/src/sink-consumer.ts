import { type Config, countKafkaRequests, createHttpServer, type Logger, registerMetricsRoute } from '@logflow/core';
import type { Admin, Batch, Consumer, ConsumerConfig } from 'kafkajs';
import { z } from 'zod';
import { Backlog } from './backlog.ts';
import { BatchHeartbeat } from './batch-heartbeat.ts';
import { CommitProgress } from './commit-progress.ts';
import { OffsetCommits } from './offset-commits.ts';
import { fetchLags } from './consumer-lag.ts';
import { fetchOnFirstRecordWhenIdle } from './idle-fetch.ts';
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
 * trickle adds to ingest→searchable (Elasticsearch's 1 s refresh is most of it anyway). After a
 * fetch that found nothing, the next waits for the first record instead, up to
 * IDLE_FETCH_WAIT_MS (see idle-fetch.ts): an idle sink asks every 2 s, not twice a second, and a
 * trickle's first log does not wait out FETCH_MAX_WAIT_MS. 2 s keeps the idle fetch well inside
 * the shortest session timeout (6 s) and is what a stop waits at most for the fetch in flight.
 */
export const FETCH_MIN_BYTES = 128 * 1024;
export const FETCH_MAX_WAIT_MS = 500;
export const IDLE_FETCH_WAIT_MS = 2_000;
/** At most one OffsetCommit a second per sink (see OffsetCommits); kafkajs's own auto-commit waits 5 s. */
const COMMIT_INTERVAL_MS = 1_000;

/**
 * One try at writing a set of batches (one or, merged, several); throws to be retried with
 * backoff. Made once per write, so it can keep what is left to do. `wanted` says, at each try,
 * which of the batches are still to be written: one handed over before a seek of its partition
 * or a rebalance is not (a write that wrote it anyway could skip records, see the PG sink).
 * 'sought' means it moved the partitions elsewhere instead and wrote nothing.
 */
export type BatchAttempt = (wanted: (batch: Batch) => boolean) => Promise<void | 'sought'>;

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
  /** Prepares one write of `batches` (in the order handed over: a partition's in offset order). */
  prepareWrite(batches: Batch[], metrics: SinkMetrics, seek: Seek): BatchAttempt;
  /**
   * Batches are written in the background, up to this many bytes of records at once, and each
   * partition is committed as its leading batches are written: the consumer fetches and
   * decodes the next records while the store is busy with the last ones.
   */
  backlogBytes: number;
  /** In the background, write a partition's batches one after the other, in offset order. */
  inOrderPerPartition?: boolean;
  /**
   * Merge the batches waiting for the writer into one write (a bulk request, a transaction),
   * with at most `writesInFlight` writes at once: kafkajs hands a fetch over as one batch per
   * partition, and a write per batch (six of ~70 logs per fetch under load) cost the sink and
   * the store more per log than the logs themselves. Under light load a write takes what one
   * fetch brought; under heavy load, what arrived while the previous writes ran. Without it
   * each batch is its own write, started at once.
   */
  merge?: { writesInFlight: number };
  /** Called on every assignment (start and each rebalance) with the partitions now owned. */
  onAssignment?(seek: Seek, partitions: number[]): void;
  /** COMMIT_INTERVAL_MS and STOP_GRACE_MS unless given; unit tests shorten them. */
  commitIntervalMs?: number;
  stopGraceMs?: number;
}

/** A batch handed to the background writer, with what it holds of the backlog and when it was handed over. */
interface Handed {
  batch: Batch;
  bytes: number;
  generation: number;
  epoch: number;
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
  fetchOnFirstRecordWhenIdle(IDLE_FETCH_WAIT_MS);
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

  /** Whether a batch handed over is still to be written: no rebalance, no seek of its partition, no stop since. */
  const isCurrent = (handed: Handed) => generation === handed.generation && (epochs.get(handed.batch.partition) ?? 0) === handed.epoch && !stopping;

  const write = async (group: Handed[], attempt: BatchAttempt): Promise<void> => {
    const first = group[0]!.batch;
    const what =
      group.length === 1 ? `partition ${first.partition} from offset ${first.firstOffset()}` : `${group.length} batches of partitions ${[...new Set(group.map((h) => h.batch.partition))].join(', ')}`;
    const wanted = new Set(group.filter(isCurrent).map((h) => h.batch));
    const done = await retryUntilDone(
      () => {
        for (const handed of group) if (!isCurrent(handed)) wanted.delete(handed.batch);
        return attempt((batch) => wanted.has(batch));
      },
      () => group.some(isCurrent),
      logger,
      `writing ${what}`,
      (error) => {
        metrics.writeFailures.inc();
        health.failingSince ??= new Date().toISOString();
        health.lastError = error instanceof Error ? error.message : String(error);
      },
    );
    if (!done) return;
    health.lastWriteAt = new Date().toISOString();
    health.failingSince = null;
    for (const handed of group) {
      // Only what was still wanted when the write ended counts as written.
      if (!isCurrent(handed) || !wanted.has(handed.batch)) continue;
      const offset = progress.done(handed.batch.partition, handed.batch.lastOffset());
      if (offset !== undefined) commits.commit(handed.batch.partition, offset);
    }
  };

  /** Starts one write of `group`; in order per partition, after the previous write of each of its partitions. */
  const startWrite = (group: Handed[]) => {
    writing++;
    for (const handed of group) metrics.batchRecords.observe(handed.batch.messages.length);
    const partitions = [...new Set(group.map((h) => h.batch.partition))];
    const before = options.inOrderPerPartition ? Promise.all(partitions.map((p) => chains.get(p) ?? Promise.resolve())) : Promise.resolve();
    // Prepared now, while the writes before it still run: decoding overlaps the store's work.
    const prepared = Promise.resolve().then(() =>
      options.prepareWrite(
        group.map((h) => h.batch),
        metrics,
        seek,
      ),
    );
    // Handled here for the time it waits; the chain below still sees the failure.
    prepared.catch(() => undefined);
    // Even a write that failed to prepare waits its turn: the partition's next write must not overtake the one before.
    const written = before
      .then(() => prepared)
      .then((attempt) => write(group, attempt))
      .catch((err: unknown) => logger.error({ err }, 'background write failed'))
      .finally(() => {
        for (const handed of group) backlog.release(handed.bytes);
        writing--;
        schedule();
      });
    if (options.inOrderPerPartition) for (const p of partitions) chains.set(p, written);
  };

  /** Merging: batches handed over and not in a write yet, in the order handed over. */
  const waiting: Handed[] = [];
  let writing = 0;
  let scheduled = false;
  const startWaiting = () => {
    scheduled = false;
    while (waiting.length > 0 && writing < (options.merge?.writesInFlight ?? Infinity)) {
      const group = waiting.splice(0).filter((handed) => {
        if (isCurrent(handed)) return true;
        backlog.release(handed.bytes);
        return false;
      });
      if (group.length > 0) startWrite(group);
    }
  };
  /** After this turn of the event loop: the other batches of the same fetch are handed over in it. */
  const schedule = () => {
    if (!options.merge || scheduled || waiting.length === 0) return;
    scheduled = true;
    setImmediate(startWaiting);
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
      const handed: Handed = { batch, bytes, generation, epoch: epochs.get(batch.partition) ?? 0 };
      progress.add(batch.partition, batch.lastOffset());
      // Resolving moves the fetch position only: nothing is committed until the write is done.
      resolveOffset(batch.lastOffset());
      if (!options.merge) return startWrite([handed]);
      waiting.push(handed);
      schedule();
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
