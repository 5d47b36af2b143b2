import kafkajs, { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { AppError } from '@logflow/core/errors';
import type { LogRecord } from '@logflow/core/log-event';

/** Seconds a client should wait before retrying when Kafka cannot take its logs. */
const RETRY_AFTER_SECONDS = '5';

/** Produces records with acks=all; resolves only once every in-sync replica holds them. */
export class LogProducer {
  private readonly producer: Producer;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
  ) {
    this.producer = kafka.producer({
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  async send(records: LogRecord[]): Promise<void> {
    try {
      await this.producer.send({
        topic: this.topic,
        acks: -1,
        messages: records.map((record) => ({ key: record.id, value: JSON.stringify(record) })),
      });
    } catch (error) {
      if (error instanceof kafkajs.KafkaJSError) {
        throw new AppError(503, 'kafka_unavailable', `Kafka did not acknowledge the logs: ${error.message}`, undefined, {
          'retry-after': RETRY_AFTER_SECONDS,
        });
      }
      throw error;
    }
  }
}
