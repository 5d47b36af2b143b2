import type { Config } from '@logflow/core/config';
import { ensureDailyPartitions, utcDays } from '@logflow/core/db/partitions';
import { createKafka, ensureTopics } from '@logflow/core/kafka';
import type { Logger } from '@logflow/core/logger';
import { createPool } from '@logflow/core/postgres';
import { DeadLetterQueue, type DeadLetter } from './dead-letters.ts';
import { decodeMessage } from './decode.ts';
import { lockNextOffset, storedOffsets, storeNextOffset } from './pg-offsets.ts';
import { insertRows, type PositionedRecord } from './pg-rows.ts';
import { retryUntilDone } from './retry.ts';

export const PG_SINK_GROUP = 'logflow-pg-sink';
const PARTITIONS_AHEAD_DAYS = 3;
const PARTITION_CHECK_MS = 3_600_000;

/**
 * Consumer group `logflow-pg-sink`: writes each batch's rows and the partition's next offset
 * in one transaction, and starts every assigned partition from the offset stored with the
 * rows, so each log lands in Postgres exactly once whatever Kafka's own offsets say.
 */
export async function startPgSink(config: Config, logger: Logger): Promise<() => Promise<void>> {
  const kafka = createKafka(config, logger, PG_SINK_GROUP);
  await ensureTopics(kafka, config);
  const pool = createPool(config, PG_SINK_GROUP);
  const topic = config.kafka.topic;

  const createPartitionsAhead = async () => {
    const created = await ensureDailyPartitions(pool, utcDays(new Date(), PARTITIONS_AHEAD_DAYS));
    if (created.length > 0) logger.info({ created }, 'created daily partitions');
  };
  await createPartitionsAhead();
  const partitionTimer = setInterval(() => {
    createPartitionsAhead().catch((err: unknown) => logger.warn({ err }, 'creating daily partitions failed'));
  }, PARTITION_CHECK_MS);

  const dlq = new DeadLetterQueue(kafka, config.kafka.dlqTopic, 'postgres', topic);
  await dlq.connect();
  const consumer = kafka.consumer({ groupId: PG_SINK_GROUP, sessionTimeout: 30_000, heartbeatInterval: 3_000 });
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const assigned = payload.memberAssignment[topic] ?? [];
    storedOffsets(pool, topic)
      .then((offsets) => {
        for (const partition of assigned) {
          const offset = offsets.get(partition);
          if (offset !== undefined) consumer.seek({ topic, partition, offset });
        }
      })
      .catch((err: unknown) => logger.warn({ err }, 'could not read stored offsets; the offset guard still applies'));
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });

  await consumer.run({
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
      const done = await retryUntilDone(
        async () => {
          const client = await pool.connect();
          try {
            await client.query('BEGIN');
            const next = await lockNextOffset(client, topic, batch.partition);
            const fresh = batch.messages.filter((m) => next === undefined || BigInt(m.offset) >= next);
            const rows: PositionedRecord[] = [];
            const deadLetters: DeadLetter[] = [];
            for (const decoded of fresh.map(decodeMessage)) {
              if (decoded.ok) rows.push({ record: decoded.record, partition: batch.partition, offset: decoded.message.offset });
              else deadLetters.push({ message: decoded.message, partition: batch.partition, reason: decoded.reason });
            }
            await insertRows(client, rows);
            // Dead letters are sent before the commit: a crash in between re-sends them, never loses them.
            await dlq.send(deadLetters);
            await storeNextOffset(client, topic, batch.partition, BigInt(batch.lastOffset()) + 1n);
            await client.query('COMMIT');
          } catch (error) {
            await client.query('ROLLBACK').catch(() => undefined);
            throw error;
          } finally {
            client.release();
          }
        },
        { isRunning, isStale, heartbeat },
        logger,
        `writing partition ${batch.partition}`,
      );
      if (!done) return;
      resolveOffset(batch.lastOffset());
      await commitOffsetsIfNecessary();
      await heartbeat();
    },
  });

  return async () => {
    clearInterval(partitionTimer);
    await consumer.disconnect();
    await dlq.disconnect();
    await pool.end();
  };
}
