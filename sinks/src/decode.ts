import type { KafkaMessage } from 'kafkajs';
import type { LogRecord } from '@logflow/core/log-event';

export type Decoded = { ok: true; record: LogRecord; message: KafkaMessage } | { ok: false; reason: string; message: KafkaMessage };

/** The ingester only produces valid records; anything else on the topic is a dead letter. */
export function decodeMessage(message: KafkaMessage): Decoded {
  try {
    const record = JSON.parse(message.value?.toString('utf8') ?? '') as LogRecord;
    if (typeof record?.id !== 'string' || typeof record.timestamp !== 'string' || typeof record.receivedAt !== 'string') {
      return { ok: false, reason: 'record lacks id, timestamp or receivedAt', message };
    }
    return { ok: true, record, message };
  } catch (error) {
    return { ok: false, reason: `unparseable record: ${(error as Error).message}`, message };
  }
}
