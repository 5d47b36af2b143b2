import { z } from 'zod';

/** `GET /api/admin/pipeline`: where each part of the pipeline stands. */
export const pipelineStatusSchema = z.object({
  consumerLag: z.array(z.object({ group: z.string(), partition: z.number().int(), committed: z.number().int(), end: z.number().int(), lag: z.number().int() })),
  elasticsearch: z.object({ count: z.number().int(), writeGeneration: z.number().int(), cutoverAt: z.string().nullable() }),
  postgres: z.object({ count: z.number().int(), exact: z.boolean() }),
  lastReconcile: z.record(z.string(), z.unknown()).nullable(),
  dlq: z.object({ topic: z.string(), messages: z.number().int() }),
  /**
   * The completeness ledger: logs the ingesters acknowledged (a client's retry of the same id
   * counts again), rows the PG sink wrote (exact: counted in the transaction that wrote them)
   * and documents the ES sink created (not those the reconciler replayed).
   */
  ledger: z.object({ accepted: z.number().int().nullable(), postgresWritten: z.number().int(), elasticsearchIndexed: z.number().int().nullable() }),
  /** Null, like the ledger's Redis counts, while Redis does not answer. */
  jobs: z.record(z.string(), z.number().int()).nullable(),
  /** What could not be read, and why (Redis down): the rest of the status is still given. */
  unavailable: z.array(z.string()),
});
export type PipelineStatus = z.infer<typeof pipelineStatusSchema>;
