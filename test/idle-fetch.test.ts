import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKafka, createLogger, loadConfig } from '@logflow/core';
import { fetchOnFirstRecordWhenIdle } from '@logflow/sinks';
import { setTimeout as sleep } from 'node:timers/promises';

/** The batching wait is long on purpose: a record reaching the consumer well before it shows the idle fetch answered on its arrival. */
const BATCHING_WAIT_MS = 8_000;

describe('a batching consumer while idle (real Kafka)', () => {
  it('gets a record as it arrives, not after the batching wait', { timeout: 40_000 }, async () => {
    const id = randomUUID().slice(0, 8);
    const topic = `lftest.idlefetch.${id}`;
    const kafka = createKafka(loadConfig(process.env), createLogger({ logLevel: 'silent' }, 'test'), `lftest-idlefetch-${id}`);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    fetchOnFirstRecordWhenIdle(BATCHING_WAIT_MS);
    const consumer = kafka.consumer({ groupId: `lftest-idlefetch-${id}`, minBytes: 10 * 1024 * 1024, maxWaitTimeInMs: BATCHING_WAIT_MS, sessionTimeout: 30_000 });
    try {
      let received!: (value: string) => void;
      const arrived = new Promise<string>((resolve) => (received = resolve));
      const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => received(String(message.value)) });
      await joined;
      // Let the first fetch reach the broker and wait there.
      await sleep(1_000);
      await producer.send({ topic, acks: -1, messages: [{ value: 'one log' }] });
      const answer = await Promise.race([arrived, sleep(BATCHING_WAIT_MS / 2).then(() => 'still waiting for the batching wait')]);
      expect(answer).toBe('one log');
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });
});
