import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

const utcMillis = { withTimezone: true, precision: 3, mode: 'string' } as const;

/**
 * Every log, once. Range-partitioned by `timestamp` (one partition a day, a default one for the
 * rest); drizzle-kit cannot express partitioning, so the generated migration adds it by hand.
 */
export const logs = pgTable(
  'logs',
  {
    id: uuid('id').notNull(),
    timestamp: timestamp('timestamp', utcMillis).notNull(),
    receivedAt: timestamp('received_at', utcMillis).notNull(),
    level: text('level').notNull(),
    message: text('message').notNull(),
    resourceId: text('resource_id'),
    traceId: text('trace_id'),
    spanId: text('span_id'),
    commit: text('commit'),
    metadata: jsonb('metadata').notNull().default(sql`'{}'::jsonb`),
    kafkaPartition: integer('kafka_partition').notNull(),
    kafkaOffset: bigint('kafka_offset', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'logs_pkey', columns: [t.id, t.timestamp] }),
    index('logs_received_at_idx').on(t.receivedAt),
    index('logs_resource_id_timestamp_idx').on(t.resourceId, t.timestamp),
    index('logs_trace_id_idx').on(t.traceId),
  ],
);

/** The PG sink's next offset per partition, written in the same transaction as the rows. */
export const sinkOffsets = pgTable(
  'sink_offsets',
  {
    topic: text('topic').notNull(),
    partition: integer('partition').notNull(),
    nextOffset: bigint('next_offset', { mode: 'number' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: 'sink_offsets_pkey', columns: [t.topic, t.partition] })],
);

/**
 * Dead letters sent back through the pipeline, by their place in the DLQ topic, so
 * "replay all" sends each dead letter once and a listing can say which were replayed.
 */
export const dlqReplays = pgTable(
  'dlq_replays',
  {
    topic: text('topic').notNull(),
    partition: integer('partition').notNull(),
    offset: bigint('offset', { mode: 'number' }).notNull(),
    replayedAt: timestamp('replayed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: 'dlq_replays_pkey', columns: [t.topic, t.partition, t.offset] })],
);
