import { type Config, createKafka, createPool, ensureDailyPartitions, ensureTopics, lockNextOffset, type Logger, storedOffsets, storeNextOffset, utcDays } from '@logflow/core';
import { DeadLetterQueue, type DeadLetter } from './dead-letters.ts';
import { decodeMessage } from './decode.ts';
import { insertRows, unstorableReason, type PositionedRecord } from './pg-rows.ts';
import { runSinkConsumer, type Seek } from './sink-consumer.ts';

const PARTITIONS_AHEAD_DAYS = 3;
const PARTITION_CHECK_MS = 3_600_000;
/** Transactions at once: at most one per partition, six partitions by default. */
const TRANSACTIONS_IN_FLIGHT = 6;
/** Record bytes handed to the writer and not in Postgres yet: about one batch per partition. */
const PG_BACKLOG_BYTES = 12 * 1024 * 1024;

/**
 * Consumer group `logflow-pg-sink`: writes each batch's rows and the partition's next offset
 * in one transaction, and starts every assigned partition from the offset stored with the
 * rows, so each log lands in Postgres exactly once whatever Kafka's own offsets say.
 */
export async function startPgSink(config: Config, logger: Logger): Promise<() => Promise<void>> {
  const kafka = createKafka(config, logger, 'logflow-pg-sink');
  await ensureTopics(kafka, config);
  // A sink cut off mid-transaction (its host gone without closing the connection) must not
  // hold its partition's offset row locked until TCP notices: Postgres ends such a session.
  const pool = createPool(config, logger, { name: 'logflow-pg-sink', max: TRANSACTIONS_IN_FLIGHT + 1, idleInTransactionTimeoutMs: 60_000 });
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

  /** Partitions sent back to their stored offset since the last assignment (see below). */
  const soughtBack = new Set<number>();
  const seekToStored = (seek: Seek, partitions: number[]) => {
    soughtBack.clear();
    storedOffsets(pool, topic)
      .then((offsets) => {
        for (const partition of partitions) {
          const offset = offsets.get(partition);
          if (offset !== undefined) seek(partition, offset);
        }
      })
      .catch((err: unknown) => logger.warn({ err }, 'could not read stored offsets; each batch still checks them'));
  };

  const stop = await runSinkConsumer(config, logger, {
    role: 'pg-sink',
    groupId: config.sinks.pg.groupId,
    http: config.sinks.pg,
    kafka,
    // Batches are written in the background, a partition's one after the other (the offset
    // guard below needs that order), partitions side by side: while Postgres COPYs, Node
    // fetches and encodes the next batches. ~6,000 logs a transaction: COPY's per-statement
    // cost is paid rarely; larger only grew memory.
    maxBytesPerPartition: 2 * 1024 * 1024,
    maxBytes: 12 * 1024 * 1024,
    backlogBytes: PG_BACKLOG_BYTES,
    inOrderPerPartition: true,
    onAssignment: seekToStored,
    prepareBatch: (batch, metrics, seek) => async () => {
      const client = await pool.connect();
      const timer = metrics.writeSeconds.startTimer();
      let failure: unknown;
      try {
        await client.query('BEGIN');
        const next = await lockNextOffset(client, topic, batch.partition);
        const first = BigInt(batch.firstOffset() ?? batch.lastOffset());
        // Kafka's position is past the stored one (its offsets were reset, or the seek on
        // assignment lost a race with the first fetch): go back once rather than skip logs.
        // Once only, because retention may have deleted what lies between.
        if (next !== undefined && first > next && !soughtBack.has(batch.partition)) {
          await client.query('ROLLBACK');
          soughtBack.add(batch.partition);
          logger.warn({ partition: batch.partition, from: first.toString(), to: next.toString() }, 'seeking back to the stored offset');
          seek(batch.partition, next.toString());
          return 'sought';
        }
        if (next !== undefined && first > next) {
          logger.error({ partition: batch.partition, from: next.toString(), to: first.toString() }, 'records between the stored offset and Kafka are gone (retention?)');
        }
        const rows: PositionedRecord[] = [];
        const letters: DeadLetter[] = [];
        let bytes = 0;
        for (const message of batch.messages) {
          if (next !== undefined && BigInt(message.offset) < next) continue;
          const decoded = decodeMessage(message);
          const reason = decoded.ok ? unstorableReason(decoded.record, decoded.json) : decoded.reason;
          if (reason === undefined && decoded.ok) {
            rows.push({ record: decoded.record, partition: batch.partition, offset: message.offset });
            bytes += decoded.json.length;
          } else {
            letters.push({ message, partition: batch.partition, reason: reason! });
            metrics.deadLetters.inc({ kind: decoded.ok ? 'refused' : 'undecodable' });
          }
        }
        const written = await insertRows(client, rows);
        // Dead letters go out before the commit: a crash in between sends them again, never loses them.
        await dlq.send(letters);
        await storeNextOffset(client, topic, batch.partition, BigInt(batch.lastOffset()) + 1n, written);
        await client.query('COMMIT');
        timer();
        metrics.recordsWritten.inc(rows.length);
        metrics.duplicates.inc(rows.length - written);
        metrics.bytesWritten.inc(bytes);
      } catch (error) {
        failure = error;
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        // A connection that failed mid-transaction is dropped rather than handed out again.
        client.release(failure instanceof Error ? failure : undefined);
      }
    },
  });

  return async () => {
    clearInterval(partitionTimer);
    await stop();
    await dlq.disconnect();
    await pool.end();
  };
}
