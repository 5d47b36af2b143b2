import { Kafka, logLevel, type ICustomPartitioner, type LogEntry } from 'kafkajs';
import type { Config } from './config.ts';
import { fixKafkajsIdleLoop } from './kafkajs-idle-fix.ts';
import type { Logger } from './logger.ts';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** A consumer group's id inside this installation's namespace (KAFKA_GROUP_PREFIX). */
export function consumerGroupId(config: Config, groupId: string): string {
  return `${config.kafka.groupPrefix}${groupId}`;
}

/**
 * Roles starting together each create the missing topics; all but one are told the topic
 * exists. kafkajs logs that answer at error before its admin treats it as success, and throws
 * on any other creation error, which ensureTopics' caller then reports itself.
 */
function racedTopicCreation(message: string, fields: Record<string, unknown>): boolean {
  return message.startsWith('Response CreateTopics') && fields.error === 'Topic creation errors';
}

/**
 * kafkajs logs through our pino logger so every line is JSON and carries the role. Every
 * consumer joins its group inside the installation's namespace, so a second LogFlow (a
 * staging install, a test run) can share one Kafka cluster without taking partitions away.
 */
export function createKafka(config: Config, logger: Logger, clientId: string): Kafka {
  fixKafkajsIdleLoop();
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  const kafka = new Kafka({
    clientId,
    brokers: config.kafka.brokers,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...rest } = log;
        kafkaLogger[racedTopicCreation(message, rest) ? 'debug' : (LEVELS[level] ?? 'info')](rest, message);
      },
  });
  if (config.kafka.groupPrefix === '') return kafka;
  const consumer = kafka.consumer.bind(kafka);
  kafka.consumer = (options) => consumer({ ...options, groupId: consumerGroupId(config, options.groupId) });
  return kafka;
}

/** Creates the log topic and its dead-letter topic if they are missing. */
export async function ensureTopics(kafka: Kafka, config: Config): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const wanted = [config.kafka.topic, config.kafka.dlqTopic].filter((t) => !existing.has(t));
    if (wanted.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: wanted.map((topic) => ({
        topic,
        numPartitions: config.kafka.partitions,
        replicationFactor: config.kafka.replicationFactor,
        configEntries: config.kafka.replicationFactor > 1 ? [{ name: 'min.insync.replicas', value: '2' }] : [],
      })),
    });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Partitions by the log id without hashing: ids are UUIDs whose last digits are random, so
 * they spread evenly. kafkajs's murmur2 partitioner cost a quarter of the producer's CPU.
 */
export const uuidKeyPartitioner: ICustomPartitioner =
  () =>
  ({ partitionMetadata, message }) =>
    Number.parseInt(String(message.key).slice(-8), 16) % partitionMetadata.length;
