import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig, createKafka, ensureTopics, createLogger } from '@logflow/core';

describe('topics at start-up', () => {
  it('lets every role create the topics at once on a fresh Kafka without an error line, and the topics exist', async () => {
    const id = randomUUID().slice(0, 8);
    const config = loadConfig({ ...process.env, KAFKA_TOPIC: `lftest.topics.${id}`, KAFKA_DLQ_TOPIC: `lftest.topics.${id}.dlq` });
    const lines: { level: number; msg: string }[] = [];
    const logger = createLogger({ logLevel: 'debug' }, 'test', new Writable({ write: (chunk, _e, done) => (lines.push(JSON.parse(String(chunk)) as { level: number; msg: string }), done()) }));
    // As `npm start` does: five roles, each its own client, all starting together.
    const clients = Array.from({ length: 5 }, (_, i) => createKafka(config, logger, `lftest-topics-${i}`));
    await Promise.all(clients.map((kafka) => ensureTopics(kafka, config)));

    const admin = clients[0]!.admin();
    await admin.connect();
    try {
      const topics = await admin.listTopics();
      expect(topics).toEqual(expect.arrayContaining([config.kafka.topic, config.kafka.dlqTopic]));
      await admin.deleteTopics({ topics: [config.kafka.topic, config.kafka.dlqTopic] });
    } finally {
      await admin.disconnect();
    }
    expect(lines.filter((line) => line.level >= 50)).toEqual([]);
  });

  it('still fails a start whose topics cannot be created (three replicas on one broker)', async () => {
    const id = randomUUID().slice(0, 8);
    const config = loadConfig({ ...process.env, KAFKA_TOPIC: `lftest.topics.${id}`, KAFKA_DLQ_TOPIC: `lftest.topics.${id}.dlq`, KAFKA_REPLICATION_FACTOR: '3' });
    const kafka = createKafka(config, createLogger({ logLevel: 'silent' }, 'test'), 'lftest-topics-rf');
    await expect(ensureTopics(kafka, config)).rejects.toThrow(/replication factor|Topic creation errors/i);
  });
});
