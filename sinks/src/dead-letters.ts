import { DLQ_HEADERS } from '@logflow/core';
import { Partitioners, type Kafka, type KafkaMessage, type Producer } from 'kafkajs';

export interface DeadLetter {
  message: KafkaMessage;
  partition: number;
  reason: string;
}

/** Sends records a sink refuses for good to the DLQ topic, with why and where they came from. */
export class DeadLetterQueue {
  private readonly producer: Producer;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
    private readonly sink: string,
    private readonly sourceTopic: string,
  ) {
    this.producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  async send(letters: DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: letters.map(({ message, partition, reason }) => ({
        key: message.key,
        value: message.value,
        headers: {
          [DLQ_HEADERS.sink]: this.sink,
          [DLQ_HEADERS.reason]: reason.slice(0, 2000),
          [DLQ_HEADERS.sourceTopic]: this.sourceTopic,
          [DLQ_HEADERS.sourcePartition]: String(partition),
          [DLQ_HEADERS.sourceOffset]: message.offset,
        },
      })),
    });
  }
}
