import type { Config } from '@logflow/core/config';
import { createElasticsearch } from '@logflow/core/elasticsearch';
import { installIndexTemplate } from '@logflow/core/es-index';
import { createKafka, ensureTopics } from '@logflow/core/kafka';
import type { LogRecord } from '@logflow/core/log-event';
import type { Logger } from '@logflow/core/logger';
import { DeadLetterQueue, type DeadLetter } from './dead-letters.ts';
import { decodeMessage } from './decode.ts';
import { bulkIndex } from './es-bulk.ts';
import { retryUntilDone } from './retry.ts';

export const ES_SINK_GROUP = 'logflow-es-sink';

/**
 * Consumer group `logflow-es-sink`: bulk-indexes each Kafka batch into the daily indices and
 * commits a partition's offset only after Elasticsearch acknowledged every record below it.
 */
export async function startEsSink(config: Config, logger: Logger): Promise<() => Promise<void>> {
  const kafka = createKafka(config, logger, ES_SINK_GROUP);
  await ensureTopics(kafka, config);
  const es = createElasticsearch(config);
  await installIndexTemplate(es, config);
  const dlq = new DeadLetterQueue(kafka, config.kafka.dlqTopic, 'elasticsearch', config.kafka.topic);
  await dlq.connect();
  const consumer = kafka.consumer({ groupId: ES_SINK_GROUP, sessionTimeout: 30_000, heartbeatInterval: 3_000 });
  await consumer.connect();
  await consumer.subscribe({ topic: config.kafka.topic, fromBeginning: true });

  await consumer.run({
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
      const deadLetters: DeadLetter[] = [];
      const byId = new Map<string, (typeof batch.messages)[number]>();
      let pending: LogRecord[] = [];
      for (const decoded of batch.messages.map(decodeMessage)) {
        if (decoded.ok) {
          pending.push(decoded.record);
          byId.set(decoded.record.id, decoded.message);
        } else {
          deadLetters.push({ message: decoded.message, partition: batch.partition, reason: decoded.reason });
        }
      }
      const done = await retryUntilDone(
        async () => {
          const outcome = await bulkIndex(es, pending);
          for (const { id, reason } of outcome.refused) {
            deadLetters.push({ message: byId.get(id)!, partition: batch.partition, reason });
          }
          pending = outcome.retry;
          if (pending.length > 0) throw new Error(`${pending.length} records not indexed yet (429/5xx)`);
          await dlq.send(deadLetters);
          deadLetters.length = 0;
        },
        { isRunning, isStale, heartbeat },
        logger,
        `indexing partition ${batch.partition}`,
      );
      if (!done) return;
      resolveOffset(batch.lastOffset());
      await commitOffsetsIfNecessary();
      await heartbeat();
    },
  });

  return async () => {
    await consumer.disconnect();
    await dlq.disconnect();
    await es.close();
  };
}
