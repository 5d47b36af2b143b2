import type { Config } from './config.ts';
import { consumerGroupId } from './kafka.ts';
import type { Pool } from './postgres.ts';
import type { Admin } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Offset per Kafka partition. */
export type Offsets = ReadonlyMap<number, bigint>;

/** The log topic's end offsets at one instant, as stored with a reconcile run. */
export interface PositionSample {
  observedAt: number;
  endOffsets: Record<string, string>;
}

/** Both sinks hold every record the topic held when the sample was taken. */
export function sinksPassed(sample: PositionSample, es: Offsets, pg: Offsets): boolean {
  return Object.entries(sample.endOffsets).every(([partition, end]) => {
    const wanted = BigInt(end);
    return (es.get(Number(partition)) ?? 0n) >= wanted && (pg.get(Number(partition)) ?? 0n) >= wanted;
  });
}

/**
 * The receivedAt below which both sinks hold every log: the newest sample both have passed,
 * less the settle time (a log is in Kafka at most that long after its receipt). A log
 * received before it was produced before the sample, so it lies below the sampled offsets.
 */
export function watermarkFrom(samples: readonly PositionSample[], es: Offsets, pg: Offsets, settleMs: number): number | undefined {
  const passed = samples.filter((sample) => sinksPassed(sample, es, pg)).map((sample) => sample.observedAt);
  return passed.length > 0 ? Math.max(...passed) - settleMs : undefined;
}

/** The two consumer groups whose positions bound what reconcile may compare. */
export function sinkGroups(config: Config): { es: string; pg: string } {
  return { es: consumerGroupId(config, config.sinks.es.groupId), pg: consumerGroupId(config, config.sinks.pg.groupId) };
}

export async function sampleTopicEnd(admin: Admin, topic: string): Promise<PositionSample> {
  const observedAt = Date.now();
  const offsets = await admin.fetchTopicOffsets(topic);
  return { observedAt, endOffsets: Object.fromEntries(offsets.map((o) => [String(o.partition), o.high])) };
}

/**
 * Where each sink stands: the ES sink's committed group offsets, and the PG sink's next
 * offsets as stored with its rows (`sink_offsets`, exact, unlike its lazily committed group).
 */
export async function sinkPositions(admin: Admin, pool: Pool, config: Config): Promise<{ es: Offsets; pg: Offsets }> {
  const topic = config.kafka.topic;
  const [committed, stored] = await Promise.all([
    admin.fetchOffsets({ groupId: sinkGroups(config).es, topics: [topic] }),
    pool.query<{ partition: number; next_offset: string }>('SELECT partition, next_offset FROM sink_offsets WHERE topic = $1', [topic]),
  ]);
  const es = new Map<number, bigint>();
  for (const { partition, offset } of committed.find((t) => t.topic === topic)?.partitions ?? []) {
    // -1: the group never committed this partition, so it holds nothing of it.
    es.set(partition, offset === '-1' ? 0n : BigInt(offset));
  }
  const pg = new Map(stored.rows.map((row) => [row.partition, BigInt(row.next_offset)]));
  return { es, pg };
}

const POLL_MS = 250;

/**
 * Samples the topic's end now and gives healthy sinks `waitMs` to pass it; a lagging sink
 * leaves the watermark at the newest earlier sample it has passed (or none at all).
 */
export async function awaitWatermark(admin: Admin, pool: Pool, config: Config, earlier: readonly PositionSample[], waitMs: number): Promise<{ sample: PositionSample; watermark: number | undefined }> {
  const sample = await sampleTopicEnd(admin, config.kafka.topic);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const { es, pg } = await sinkPositions(admin, pool, config);
    if (sinksPassed(sample, es, pg) || Date.now() >= deadline) {
      return { sample, watermark: watermarkFrom([sample, ...earlier], es, pg, config.adminJobs.settleMs) };
    }
    await sleep(POLL_MS);
  }
}
