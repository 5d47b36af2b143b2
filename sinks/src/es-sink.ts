import type { Config } from '@logflow/core/config';
import { createElasticsearch } from '@logflow/core/elasticsearch';
import { dailyIndexName, installIndexTemplate } from '@logflow/core/es-index';
import { createKafka, ensureTopics } from '@logflow/core/kafka';
import type { Logger } from '@logflow/core/logger';
import type { KafkaMessage } from 'kafkajs';
import pLimit from 'p-limit';
import { DeadLetterQueue, type DeadLetter } from './dead-letters.ts';
import { decodeMessage } from './decode.ts';
import { chunkItems, sendBulk, type BulkItem } from './es-bulk.ts';
import { runSinkConsumer } from './sink-consumer.ts';

/**
 * Bulk request size. Elasticsearch's own advice is a few MB per request; on a small node
 * (1 GiB heap, 2 cores) ~5,000 log lines / 4 MiB keeps one request under a second and its
 * heap footprint small, while per-request overhead stays below a few percent. The count
 * limit keeps requests of tiny logs from growing to tens of thousands of items, whose
 * failure would be retried as a whole.
 */
export const ES_BULK_LIMITS = { maxDocs: 5_000, maxBytes: 4 * 1024 * 1024 };
/** Bulk requests in flight per process, across partitions: enough to keep both of the node's write threads busy. */
export const ES_BULK_CONCURRENCY = 2;

/**
 * Consumer group `logflow-es-sink`: bulk-indexes each Kafka batch into the daily indices and
 * resolves a partition's offset only once every record of the batch is indexed or, refused
 * for good, in the DLQ. `_id` = id, so a redelivered batch overwrites instead of doubling.
 */
export async function startEsSink(config: Config, logger: Logger): Promise<() => Promise<void>> {
  const kafka = createKafka(config, logger, 'logflow-es-sink');
  await ensureTopics(kafka, config);
  const es = createElasticsearch(config);
  await installIndexTemplate(es, config);
  const dlq = new DeadLetterQueue(kafka, config.kafka.dlqTopic, 'elasticsearch', config.kafka.topic);
  await dlq.connect();
  const inFlight = pLimit(ES_BULK_CONCURRENCY);

  const stop = await runSinkConsumer(config, logger, {
    role: 'es-sink',
    groupId: config.sinks.es.groupId,
    http: config.sinks.es,
    kafka,
    partitionsConsumedConcurrently: config.kafka.partitions,
    maxBytesPerPartition: 4 * 1024 * 1024,
    maxBytes: 16 * 1024 * 1024,
    prepareBatch: (batch, metrics) => {
      const letters: DeadLetter[] = [];
      const items: BulkItem<KafkaMessage>[] = [];
      for (const decoded of batch.messages.map(decodeMessage)) {
        if (decoded.ok) {
          items.push({ index: dailyIndexName(decoded.record.receivedAt), id: decoded.record.id, json: decoded.json, ref: decoded.message });
        } else {
          letters.push({ message: decoded.message, partition: batch.partition, reason: decoded.reason });
          metrics.deadLetters.inc({ kind: 'undecodable' });
        }
      }
      let pending = chunkItems(items, ES_BULK_LIMITS);

      return async () => {
        const results = await Promise.allSettled(
          pending.map((chunk) =>
            inFlight(async () => {
              const timer = metrics.writeSeconds.startTimer();
              const outcome = await sendBulk(es, chunk);
              timer();
              return outcome;
            }),
          ),
        );
        const again: BulkItem<KafkaMessage>[] = [];
        let failure: unknown;
        results.forEach((result, i) => {
          if (result.status === 'rejected') {
            again.push(...pending[i]!);
            failure = result.reason;
            return;
          }
          const { indexed, refused, retry } = result.value;
          metrics.recordsWritten.inc(indexed.length);
          metrics.bytesWritten.inc(indexed.reduce((sum, item) => sum + item.json.length, 0));
          for (const { item, reason } of refused) {
            letters.push({ message: item.ref, partition: batch.partition, reason });
            metrics.deadLetters.inc({ kind: 'refused' });
          }
          again.push(...retry);
        });
        pending = chunkItems(again, ES_BULK_LIMITS);
        if (failure) throw failure;
        if (again.length > 0) throw new Error(`${again.length} records not indexed yet (429, 5xx or blocked index)`);
        // Dead letters go out before the offset moves past them; a crash in between sends them again.
        await dlq.send(letters);
        letters.length = 0;
      };
    },
  });

  return async () => {
    await stop();
    await dlq.disconnect();
    await es.close();
  };
}
