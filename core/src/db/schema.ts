import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

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
    metadata: jsonb('metadata')
      .notNull()
      .default(sql`'{}'::jsonb`),
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

/**
 * Every stored log's id, once: the identity rule of both stores (docs/architecture.md, Identity). `logs`
 * is partitioned by timestamp, so its key must hold the timestamp and cannot keep one id from
 * being stored twice under two timestamps; this table, not partitioned, can. The PG sink
 * claims an id here in the transaction that writes the row, and only a newly claimed id's row
 * goes into `logs`: the first write wins, as with Elasticsearch's `create` on `_id` = id.
 * Retention deletes from it what it deletes from `logs` (by timestamp).
 */
export const logIds = pgTable(
  'log_ids',
  {
    id: uuid('id').primaryKey(),
    timestamp: timestamp('timestamp', utcMillis).notNull(),
  },
  (t) => [index('log_ids_timestamp_idx').on(t.timestamp)],
);

/** The PG sink's next offset per partition, written in the same transaction as the rows. */
export const sinkOffsets = pgTable(
  'sink_offsets',
  {
    topic: text('topic').notNull(),
    partition: integer('partition').notNull(),
    nextOffset: bigint('next_offset', { mode: 'number' }).notNull(),
    /** Rows this partition has added to logs, counted in the transaction that wrote them: the ledger's exact Postgres figure. */
    logsWritten: bigint('logs_written', { mode: 'number' }).notNull().default(0),
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

const instant = { withTimezone: true, precision: 3, mode: 'string' } as const;

/**
 * One row per reconcile run (a killed run stays `running` until its job runs again and marks
 * it `interrupted`). `positions` are the log topic's end offsets when the run started: later
 * runs take their watermark from the newest such sample both sinks have passed.
 */
export const reconcileRuns = pgTable(
  'reconcile_runs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    jobId: text('job_id').notNull(),
    status: text('status').notNull(),
    startedAt: timestamp('started_at', instant).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', instant),
    rangeFrom: timestamp('range_from', instant),
    rangeTo: timestamp('range_to', instant),
    watermark: timestamp('watermark', instant),
    scope: jsonb('scope')
      .notNull()
      .default(sql`'{}'::jsonb`),
    positions: jsonb('positions')
      .notNull()
      .default(sql`'{}'::jsonb`),
    rangesChecked: integer('ranges_checked').notNull().default(0),
    leavesDiffed: integer('leaves_diffed').notNull().default(0),
    logsChecked: bigint('logs_checked', { mode: 'number' }).notNull().default(0),
    missingFound: integer('missing_found').notNull().default(0),
    replayed: integer('replayed').notNull().default(0),
    replayRefused: integer('replay_refused').notNull().default(0),
    outdatedReplaced: integer('outdated_replaced').notNull().default(0),
    extraFound: integer('extra_found').notNull().default(0),
    extraRemoved: integer('extra_removed').notNull().default(0),
    twinsRemoved: integer('twins_removed').notNull().default(0),
    durationMs: integer('duration_ms'),
    error: text('error'),
  },
  (t) => [index('reconcile_runs_started_at_idx').on(t.startedAt)],
);

/**
 * One row per retention run. The cutoff is stored before anything is dropped, so the
 * reconciler ignores what a run removed even when the run died halfway.
 */
export const retentionRuns = pgTable('retention_runs', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  jobId: text('job_id').notNull(),
  status: text('status').notNull(),
  startedAt: timestamp('started_at', instant).notNull().defaultNow(),
  finishedAt: timestamp('finished_at', instant),
  cutoff: timestamp('cutoff', instant).notNull(),
  droppedPartitions: jsonb('dropped_partitions')
    .notNull()
    .default(sql`'[]'::jsonb`),
  deletedRows: bigint('deleted_rows', { mode: 'number' }).notNull().default(0),
  deletedIndices: jsonb('deleted_indices')
    .notNull()
    .default(sql`'[]'::jsonb`),
  durationMs: integer('duration_ms'),
  error: text('error'),
});

/**
 * API keys. Only the SHA-256 of a key is stored: keys are 256 random bits, so a fast hash
 * cannot be brute-forced and lets every request be checked with one indexed lookup.
 * `resourcePatterns` limits a read key to those resourceIds (`payments-*`); such a key has its
 * own Postgres login `sqlRole` for the SQL console, which row-level security restricts.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    role: text('role').notNull(),
    keyHash: text('key_hash').notNull(),
    keyPrefix: text('key_prefix').notNull(),
    resourcePatterns: text('resource_patterns').array(),
    rateLimitPerMinute: integer('rate_limit_per_minute'),
    sqlRole: text('sql_role'),
    createdAt: timestamp('created_at', instant).notNull().defaultNow(),
    createdBy: text('created_by').notNull(),
    revokedAt: timestamp('revoked_at', instant),
  },
  (t) => [uniqueIndex('api_keys_key_hash_idx').on(t.keyHash)],
);

/**
 * Which key did which admin action (or sensitive read), when, with which parameters, and how it
 * ended. A row is written before the action runs (`outcome` 'started', no status) and completed
 * with its answer; `requestId` is the server's own, `clientRequestId` what the client sent.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', instant).notNull().defaultNow(),
    keyId: text('key_id'),
    keyName: text('key_name'),
    action: text('action').notNull(),
    params: jsonb('params')
      .notNull()
      .default(sql`'{}'::jsonb`),
    status: integer('status'),
    outcome: text('outcome').notNull(),
    requestId: text('request_id'),
    clientRequestId: text('client_request_id'),
  },
  (t) => [index('audit_log_at_idx').on(t.at)],
);

/**
 * A search saved from the dashboard: its name and the view's URL query (filters, range, columns),
 * owned by the key that saved it (null: saved with keys off, or before searches had owners). A
 * name is unique per owner.
 */
export const savedSearches = pgTable(
  'saved_searches',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    name: text('name').notNull(),
    query: text('query').notNull(),
    savedAt: timestamp('saved_at', instant).notNull().defaultNow(),
    ownerKeyId: text('owner_key_id'),
  },
  (t) => [unique('saved_searches_owner_name_unique').on(t.ownerKeyId, t.name).nullsNotDistinct()],
);
