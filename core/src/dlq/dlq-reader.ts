import type { DeadLetterEntry } from '@logflow/common';
import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { DLQ_HEADERS } from './dlq-headers.ts';

/** Offsets [from, to) of one DLQ partition to read. */
export interface OffsetRange {
  partition: number;
  from: bigint;
  to: bigint;
}

const READ_TIMEOUT_MS = 30_000;

function header(message: KafkaMessage, name: string): string {
  const value = message.headers?.[name];
  return value === undefined ? '' : String(Array.isArray(value) ? value[0] : value);
}

export function toEntry(partition: number, message: KafkaMessage, fallbackTopic: string): DeadLetterEntry {
  const value = message.value?.toString('utf8') ?? '';
  let logId: string | null = null;
  try {
    const parsed = JSON.parse(value) as { id?: unknown };
    if (typeof parsed?.id === 'string') logId = parsed.id;
  } catch {
    // An undecodable record has no id to show.
  }
  return {
    partition,
    offset: message.offset,
    deadAt: new Date(Number(message.timestamp)).toISOString(),
    sink: header(message, DLQ_HEADERS.sink),
    reason: header(message, DLQ_HEADERS.reason),
    source: {
      topic: header(message, DLQ_HEADERS.sourceTopic) || fallbackTopic,
      partition: Number(header(message, DLQ_HEADERS.sourcePartition)),
      offset: header(message, DLQ_HEADERS.sourceOffset),
    },
    key: message.key?.toString('utf8') ?? null,
    value,
    logId,
  };
}

/** The whole of each DLQ partition, or its last `perPartition` records. */
export async function dlqRanges(kafka: Kafka, topic: string, perPartition?: number): Promise<OffsetRange[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.map(({ partition, low, high }) => {
      const to = BigInt(high);
      const from = perPartition === undefined ? BigInt(low) : [BigInt(low), to - BigInt(perPartition)].reduce((a, b) => (a > b ? a : b));
      return { partition, from, to };
    });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads the given offset ranges of the DLQ topic, a Kafka batch at a time. kafkajs reads only
 * through a consumer group, so this uses a throwaway group that commits nothing and is
 * deleted afterwards; the sinks' groups are never touched.
 */
export async function scanDeadLetters(kafka: Kafka, topic: string, ranges: OffsetRange[], onLetters: (letters: DeadLetterEntry[]) => Promise<void>): Promise<void> {
  const wanted = ranges.filter((r) => r.to > r.from);
  if (wanted.length === 0) return;
  const groupId = `logflow-dlq-reader-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 500 });
  const remaining = new Map(wanted.map((r) => [r.partition, r]));
  let settle!: (error?: Error) => void;
  const finished = new Promise<void>((resolve, reject) => {
    settle = (error) => (error ? reject(error) : resolve());
  });
  const timer = setTimeout(() => settle(new Error(`reading ${topic} took over ${READ_TIMEOUT_MS} ms`)), READ_TIMEOUT_MS);
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const range = remaining.get(batch.partition);
        if (!range) return;
        const letters = batch.messages.filter((m) => BigInt(m.offset) >= range.from && BigInt(m.offset) < range.to).map((m) => toEntry(batch.partition, m, topic));
        if (letters.length > 0) await onLetters(letters);
        if (BigInt(batch.lastOffset()) + 1n >= range.to) remaining.delete(batch.partition);
        if (remaining.size === 0) settle();
      },
    });
    for (const range of wanted) consumer.seek({ topic, partition: range.partition, offset: range.from.toString() });
    await finished;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
    await deleteGroup(kafka, groupId);
  }
}

async function deleteGroup(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteGroups([groupId]);
  } catch {
    // An empty group the coordinator already forgot: nothing to delete.
  } finally {
    await admin.disconnect();
  }
}

/** The newest `limit` dead letters, newest first. */
export async function listDeadLetters(kafka: Kafka, topic: string, limit: number): Promise<DeadLetterEntry[]> {
  const letters: DeadLetterEntry[] = [];
  await scanDeadLetters(kafka, topic, await dlqRanges(kafka, topic, limit), async (batch) => {
    letters.push(...batch);
  });
  return letters.sort((a, b) => b.deadAt.localeCompare(a.deadAt) || b.partition - a.partition).slice(0, limit);
}

/** One dead letter by its place in the DLQ topic, or undefined when there is none there. */
export async function getDeadLetter(kafka: Kafka, topic: string, partition: number, offset: bigint): Promise<DeadLetterEntry | undefined> {
  const range = (await dlqRanges(kafka, topic)).find((r) => r.partition === partition);
  if (!range || offset < range.from || offset >= range.to) return undefined;
  let found: DeadLetterEntry | undefined;
  await scanDeadLetters(kafka, topic, [{ partition, from: offset, to: offset + 1n }], async ([letter]) => {
    found = letter;
  });
  return found;
}
