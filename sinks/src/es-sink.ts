import {
  addToLedger,
  type Config,
  createElasticsearch,
  createKafka,
  createRequestRedis,
  ensureTopics,
  type FollowedWritePlan,
  indexForLog,
  type IndexNames,
  installIndexTemplate,
  ledgerKey,
  type Logger,
} from '@logflow/core';
import type { Batch, KafkaMessage } from 'kafkajs';
import pLimit from 'p-limit';
import { DeadLetterQueue, type DeadLetter } from './dead-letters.ts';
import { decodeMessage, type Decoded } from './decode.ts';
import { bulkItem, chunkItems, sendBulk, type BulkItem } from './es-bulk.ts';
import { runSinkConsumer } from './sink-consumer.ts';

/**
 * Bulk request size. A request carries the Kafka batches waiting for the writer, of every
 * partition (each fetched at most 1 MiB, ~3,000 logs of ~350 B), cut at 5,000 documents or 4 MiB.
 * Measured on a 2-core node with a 1 GiB heap, ~1 MiB requests two at a time keep both of
 * its write threads busy (as fast as the bulk helper's 4 MiB ones) while each costs well
 * under a second to retry; larger fetches only grew the sink's memory. The count limit keeps
 * a request of tiny logs from holding tens of thousands of items that fail and retry as one.
 */
export const ES_BULK_LIMITS = { maxDocs: 5_000, maxBytes: 4 * 1024 * 1024 };
/** Bulk requests in flight per process, across partitions: one per write thread of a 2-core node. */
export const ES_BULK_CONCURRENCY = 2;
/** Record bytes handed to the indexer and not indexed yet: a few requests queued behind the two in flight. */
const ES_BACKLOG_BYTES = 8 * 1024 * 1024;

/**
 * The record's own bytes, unless they hold a line break (pretty-printed JSON from some other
 * producer), which would break the bulk body's one-line-per-document framing.
 */
function bulkSource(decoded: Extract<Decoded, { ok: true }>): Buffer {
  const value = decoded.message.value!;
  return value.includes(0x0a) ? Buffer.from(JSON.stringify(decoded.record)) : value;
}

/** What a bulk item keeps for its outcome: the Kafka message (for the DLQ) and the batch it came in. */
interface Ref {
  message: KafkaMessage;
  batch: Batch;
}

/** What the ES sink names its indices from, given by whoever wires the role (cli/roles.ts). */
export interface EsSinkOptions {
  names: IndexNames;
  /** Read per batch, so a reindex's cutover takes effect as soon as the plan is re-read. */
  writePlan: Pick<FollowedWritePlan, 'current'>;
}

/**
 * Consumer group `logflow-es-sink`: bulk-indexes each Kafka batch into the daily indices and
 * commits a partition's offset only once every record below it is indexed or, refused for
 * good, in the DLQ. `_id` = id and the bulk action is `create`: a redelivered batch, or a log
 * re-sent with a stored id, finds its document there (409, a duplicate) and changes nothing.
 */
export async function startEsSink(config: Config, logger: Logger, { names, writePlan }: EsSinkOptions): Promise<() => Promise<void>> {
  const kafka = createKafka(config, logger, 'logflow-es-sink');
  await ensureTopics(kafka, config);
  const es = createElasticsearch(config);
  await installIndexTemplate(es, config);
  const dlq = new DeadLetterQueue(kafka, config.kafka.dlqTopic, 'elasticsearch', config.kafka.topic);
  await dlq.connect();
  const inFlight = pLimit(ES_BULK_CONCURRENCY);
  const ledgerRedis = createRequestRedis(config, logger);
  const indexedKey = ledgerKey(config);

  const stop = await runSinkConsumer(config, logger, {
    role: 'es-sink',
    groupId: config.sinks.es.groupId,
    http: config.sinks.es,
    kafka,
    // Small fetches and a bounded backlog bound what the process holds; the backlog lets
    // Kafka fetching and decoding run while Elasticsearch indexes the previous batches.
    maxBytesPerPartition: 1024 * 1024,
    maxBytes: 6 * 1024 * 1024,
    backlogBytes: ES_BACKLOG_BYTES,
    // A write takes every batch waiting, across partitions: one bulk request of ~400 logs per
    // fetch instead of six of ~70 under load, and what piled up while Elasticsearch was busy.
    merge: { writesInFlight: ES_BULK_CONCURRENCY },
    prepareWrite: (batches, metrics) => {
      const letters: (DeadLetter & { batch: Batch })[] = [];
      const items: BulkItem<Ref>[] = [];
      const plan = writePlan.current;
      for (const batch of batches) {
        for (const message of batch.messages) {
          const decoded = decodeMessage(message);
          if (decoded.ok) {
            items.push(bulkItem(indexForLog(names, plan, decoded.record.receivedAt), decoded.record.id, bulkSource(decoded), { message, batch }));
          } else {
            letters.push({ message, batch, partition: batch.partition, reason: decoded.reason });
            metrics.deadLetters.inc({ kind: 'undecodable' });
          }
        }
      }
      let pending = chunkItems(items, ES_BULK_LIMITS);

      return async (wanted) => {
        // A batch handed over before a rebalance since is left to its partition's new owner.
        pending = pending.map((chunk) => chunk.filter((item) => wanted(item.ref.batch))).filter((chunk) => chunk.length > 0);
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
        const again: BulkItem<Ref>[] = [];
        let failure: PromiseRejectedResult | undefined;
        let created = 0;
        results.forEach((result, i) => {
          if (result.status === 'rejected') {
            again.push(...pending[i]!);
            failure = result;
            return;
          }
          const { indexed, refused, retry } = result.value;
          created += result.value.created;
          metrics.duplicates.inc(result.value.duplicates);
          metrics.recordsWritten.inc(indexed.length);
          metrics.bytesWritten.inc(indexed.reduce((sum, item) => sum + item.source.length, 0));
          for (const { item, reason } of refused) {
            letters.push({ ...item.ref, partition: item.ref.batch.partition, reason });
            metrics.deadLetters.inc({ kind: 'refused' });
          }
          again.push(...retry);
        });
        pending = chunkItems(again, ES_BULK_LIMITS);
        // Counted as soon as they exist, even if the batch is retried: a retry finds them there (409), not new.
        addToLedger(ledgerRedis, indexedKey, 'elasticsearchIndexed', created).catch((err: unknown) => logger.warn({ err }, 'could not count indexed logs in the ledger'));
        if (failure?.reason) throw failure.reason;
        if (again.length > 0) throw new Error(`${again.length} records not indexed yet (429, 5xx or blocked index)`);
        // Dead letters go out before the offset moves past them; a crash in between sends them again.
        await dlq.send(letters.filter((letter) => wanted(letter.batch)));
        letters.length = 0;
      };
    },
  });

  return async () => {
    await stop();
    await dlq.disconnect();
    await es.close();
    ledgerRedis.disconnect();
  };
}
