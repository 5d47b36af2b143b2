import { type Config, createKafka, createPool, ensureDailyPartitions, ensureTopics, lockNextOffset, type Logger, storedOffsets, storeNextOffset, utcDays } from '@logflow/core';
import { DeadLetterQueue, type DeadLetter } from './dead-letters.ts';
import { decodeMessage } from './decode.ts';
import { insertRows, unstorableReason, type PositionedRecord } from './pg-rows.ts';
import { runSinkConsumer, type Seek } from './sink-consumer.ts';
import type { DeadLetterKind } from './sink-metrics.ts';

const PARTITIONS_AHEAD_DAYS = 3;
const PARTITION_CHECK_MS = 3_600_000;
/** Transactions at once (see `merge` below): one in Postgres, the next waiting for it. */
const TRANSACTIONS_IN_FLIGHT = 2;
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
    // guard below needs that order): while Postgres COPYs, Node fetches and encodes the next
    // batches. Up to ~6,000 logs a partition per fetch: COPY's per-statement cost is paid
    // rarely; larger only grew memory.
    maxBytesPerPartition: 2 * 1024 * 1024,
    maxBytes: 12 * 1024 * 1024,
    backlogBytes: PG_BACKLOG_BYTES,
    inOrderPerPartition: true,
    onAssignment: seekToStored,
    // One transaction takes every batch waiting, across partitions (each partition's offset row
    // is locked and moved in it): one per fetch instead of six under load. Two at once: while
    // one runs in Postgres, the next is decoded and encoded, then waits for the partitions it
    // shares with the first.
    merge: { writesInFlight: TRANSACTIONS_IN_FLIGHT },
    prepareWrite: (batches, metrics, seek) => {
      // Decoded and checked once; a retry only runs the transaction again.
      const prepared = batches.map((batch) => {
        const rows: (PositionedRecord & { at: bigint; bytes: number })[] = [];
        const letters: (DeadLetter & { at: bigint; kind: DeadLetterKind })[] = [];
        for (const message of batch.messages) {
          const decoded = decodeMessage(message);
          const reason = decoded.ok ? unstorableReason(decoded.record, decoded.json) : decoded.reason;
          const at = BigInt(message.offset);
          if (reason === undefined && decoded.ok) rows.push({ record: decoded.record, partition: batch.partition, offset: message.offset, at, bytes: decoded.json.length });
          else letters.push({ message, partition: batch.partition, reason: reason!, at, kind: decoded.ok ? 'refused' : 'undecodable' });
        }
        return { batch, rows, letters };
      });
      return async (wanted) => {
        const current = prepared.filter(({ batch }) => wanted(batch));
        if (current.length === 0) return 'sought';
        const partitions = [...new Set(current.map(({ batch }) => batch.partition))].sort((a, b) => a - b);
        const client = await pool.connect();
        const timer = metrics.writeSeconds.startTimer();
        let failure: unknown;
        try {
          await client.query('BEGIN');
          /** Each partition written here, with the offset stored for it (records below it are in already). */
          const stored = new Map<number, bigint | undefined>();
          for (const partition of partitions) {
            const next = await lockNextOffset(client, topic, partition);
            const ofPartition = current.filter(({ batch }) => batch.partition === partition);
            const first = BigInt(ofPartition[0]!.batch.firstOffset() ?? ofPartition[0]!.batch.lastOffset());
            // Kafka's position is past the stored one (its offsets were reset, or the seek on
            // assignment lost a race with the first fetch): go back once rather than skip logs.
            // Once only, because retention may have deleted what lies between. The seek makes
            // the partition's batches unwanted at once, so a retry of this write leaves them out.
            if (next !== undefined && first > next && !soughtBack.has(partition)) {
              soughtBack.add(partition);
              logger.warn({ partition, from: first.toString(), to: next.toString() }, 'seeking back to the stored offset');
              seek(partition, next.toString());
              continue;
            }
            if (next !== undefined && first > next) {
              logger.error({ partition, from: next.toString(), to: first.toString() }, 'records between the stored offset and Kafka are gone (retention?)');
            }
            stored.set(partition, next);
          }
          const fresh = <T extends { partition: number; at: bigint }>(entry: T) => {
            if (!stored.has(entry.partition)) return false;
            const next = stored.get(entry.partition);
            return next === undefined || entry.at >= next;
          };
          const rows = current.flatMap((p) => p.rows.filter(fresh));
          const letters = current.flatMap((p) => p.letters.filter(fresh));
          const written = await insertRows(client, rows);
          // Dead letters go out before the commit: a crash in between sends them again, never loses them.
          await dlq.send(letters);
          for (const partition of stored.keys()) {
            const last = current
              .filter(({ batch }) => batch.partition === partition)
              .at(-1)!
              .batch.lastOffset();
            await storeNextOffset(client, topic, partition, BigInt(last) + 1n, written.get(partition) ?? 0);
          }
          await client.query('COMMIT');
          timer();
          const total = [...written.values()].reduce((sum, n) => sum + n, 0);
          metrics.recordsWritten.inc(rows.length);
          metrics.duplicates.inc(rows.length - total);
          metrics.bytesWritten.inc(rows.reduce((sum, row) => sum + row.bytes, 0));
          for (const letter of letters) metrics.deadLetters.inc({ kind: letter.kind });
        } catch (error) {
          failure = error;
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        } finally {
          // A connection that failed mid-transaction is dropped rather than handed out again.
          client.release(failure instanceof Error ? failure : undefined);
        }
      };
    },
  });

  return async () => {
    clearInterval(partitionTimer);
    await stop();
    await dlq.disconnect();
    await pool.end();
  };
}
