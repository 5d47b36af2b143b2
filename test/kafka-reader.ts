import { randomUUID } from 'node:crypto';
import { createKafka, createLogger, loadConfig, type LogRecord } from '@logflow/core';
import { setTimeout as sleep } from 'node:timers/promises';

const config = loadConfig();
const kafka = createKafka(config, createLogger({ logLevel: 'warn' }, 'test'), 'logflow-test-reader');

export type TopicPosition = Map<number, string>;

/** The log topic's end offset per partition: where records produced from now on will start. */
export async function topicEnd(topic = config.kafka.topic): Promise<TopicPosition> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    // A topic created moments ago may not have elected its leaders yet: that answer is retried.
    for (let attempt = 1; ; attempt++) {
      try {
        const offsets = await admin.fetchTopicOffsets(topic);
        return new Map(offsets.map((o) => [o.partition, o.high]));
      } catch (error) {
        if (attempt >= 20 || !(error as { retriable?: boolean }).retriable) throw error;
        await sleep(250);
      }
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads exactly the records between two positions of the topic (from `since`, up to `until`),
 * with a throwaway consumer group so no test disturbs the sinks' offsets. Reading up to a
 * known end, rather than for a while, is what lets a test prove that nothing was produced.
 */
export async function readRecordsBetween(since: TopicPosition, until: TopicPosition, timeoutMs = 30_000, topic = config.kafka.topic): Promise<LogRecord[]> {
  const remaining = new Map([...until].filter(([partition, end]) => BigInt(end) > BigInt(since.get(partition) ?? '0')));
  const records: LogRecord[] = [];
  if (remaining.size === 0) return records;
  const consumer = kafka.consumer({ groupId: `logflow-test-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic });
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const end = remaining.get(partition);
        if (end === undefined || BigInt(message.offset) >= BigInt(end)) return;
        records.push(JSON.parse(message.value!.toString('utf8')) as LogRecord);
        if (BigInt(message.offset) + 1n >= BigInt(end)) remaining.delete(partition);
        if (remaining.size === 0) finish();
      },
    });
    for (const [partition, offset] of since) consumer.seek({ topic, partition, offset });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`did not read up to the end offsets within ${timeoutMs} ms`)), timeoutMs);
    });
    await Promise.race([finished, timedOut]).finally(() => clearTimeout(timer));
    return records;
  } finally {
    await consumer.disconnect();
  }
}
