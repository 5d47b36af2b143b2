import type { KafkaMessage } from 'kafkajs';
import type { LogRecord } from '@logflow/core';

export type Decoded = { ok: true; record: LogRecord; json: string; message: KafkaMessage } | { ok: false; reason: string; message: KafkaMessage };

/**
 * The ingester only produces valid records; anything else on the topic is a dead letter.
 * The JSON text is kept so Elasticsearch gets the record's own bytes, not a re-serialisation.
 */
export function decodeMessage(message: KafkaMessage): Decoded {
  const json = message.value?.toString('utf8') ?? '';
  try {
    const record = JSON.parse(json) as LogRecord;
    if (typeof record?.id !== 'string' || typeof record.timestamp !== 'string' || typeof record.receivedAt !== 'string') {
      return { ok: false, reason: 'undecodable: record lacks id, timestamp or receivedAt', message };
    }
    return { ok: true, record, json, message };
  } catch (error) {
    return { ok: false, reason: `undecodable: ${(error as Error).message}`, message };
  }
}
