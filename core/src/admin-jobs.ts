import { LOG_LEVELS } from '@logflow/common';
import { Queue, type ConnectionOptions } from 'bullmq';
import { z } from 'zod';
import type { Config } from './config.ts';

/** The one queue of admin jobs; its Redis keys live under BULLMQ_PREFIX. */
export const ADMIN_QUEUE = 'logflow-admin';

const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());
const resourceIds = z.array(z.string().min(1).max(512)).min(1).max(1000);

/** Scope of a reconcile: a range of receivedAt (default: all logs up to the watermark), optionally some resources. */
export const reconcileDataSchema = z
  .object({
    from: instant.optional().describe('receivedAt >= from; default: the oldest log'),
    to: instant.optional().describe('receivedAt < to; always capped at the watermark'),
    resourceIds: resourceIds.optional().describe('only logs of these resourceIds'),
    removeExtra: z.boolean().default(false).describe('also delete documents Postgres does not have'),
  })
  .strict();

export const replayDataSchema = z
  .object({
    from: instant.describe('receivedAt >= from'),
    to: instant.describe('receivedAt < to'),
    resourceIds: resourceIds.optional(),
    levels: z.array(z.enum(LOG_LEVELS)).min(1).optional(),
  })
  .strict()
  .refine((d) => d.from < d.to, { message: 'from must be before to', path: ['to'] });

export const reindexDataSchema = z.object({}).strict();

export const retentionDataSchema = z.object({ before: instant.optional().describe('drop what is older than this; default: now minus RETENTION') }).strict();

export const JOB_DATA_SCHEMAS = {
  reconcile: reconcileDataSchema,
  replay: replayDataSchema,
  reindex: reindexDataSchema,
  retention: retentionDataSchema,
} as const;

export type ReconcileData = z.output<typeof reconcileDataSchema>;
export type ReplayData = z.output<typeof replayDataSchema>;
export type RetentionData = z.output<typeof retentionDataSchema>;

/** What a reconcile counted, as it goes and in its result. */
export interface ReconcileCounts {
  rangesChecked: number;
  leavesDiffed: number;
  logsChecked: number;
  missingFound: number;
  replayed: number;
  replayRefused: number;
  outdatedReplaced: number;
  extraFound: number;
  extraRemoved: number;
  twinsRemoved: number;
}

export interface ReconcileResult extends ReconcileCounts {
  runId: number;
  from: string | null;
  to: string | null;
  watermark: string | null;
  durationMs: number;
}

export interface ReplayResult {
  from: string;
  to: string;
  matched: number;
  indexed: number;
  refused: number;
  durationMs: number;
}

export interface ReindexResult {
  fromGeneration: number;
  toGeneration: number;
  /** Null when this attempt only finished the drop of an earlier attempt that had swapped already. */
  cutoverAt: string | null;
  backfilled: number;
  caughtUp: number;
  droppedIndices: string[];
  durationMs: number;
}

export interface RetentionResult {
  runId: number;
  cutoff: string;
  droppedPartitions: string[];
  deletedRows: number;
  deletedIndices: string[];
  durationMs: number;
}

/** What a running job reports: a percent and the counts so far. */
export interface JobProgress {
  percent: number;
  phase: string;
  [count: string]: number | string;
}

export function createAdminQueue(config: Config, connection: ConnectionOptions): Queue {
  return new Queue(ADMIN_QUEUE, {
    connection,
    prefix: config.adminJobs.bullPrefix,
    defaultJobOptions: { removeOnComplete: { count: 500 }, removeOnFail: { count: 500 } },
  });
}
