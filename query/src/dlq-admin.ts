import { AppError, type HttpServer, listDeadLetters, type Pool, replayDeadLetters, replayTimes } from '@logflow/core';
import type { Kafka } from 'kafkajs';
import { z } from 'zod';

export interface DlqAdminDeps {
  kafka: Kafka;
  pool: Pool;
  dlqTopic: string;
}

const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  sink: z.enum(['elasticsearch', 'postgres']).optional().describe('only dead letters of this sink'),
});

const deadLetterSchema = z.object({
  partition: z.number().int(),
  offset: z.string(),
  deadAt: z.string(),
  sink: z.string(),
  reason: z.string(),
  source: z.object({ topic: z.string(), partition: z.number().int(), offset: z.string() }),
  key: z.string().nullable(),
  value: z.string(),
  logId: z.string().nullable(),
  replayedAt: z.string().nullable(),
});

const replayBodySchema = z.union([
  z.object({ partition: z.number().int().min(0), offset: z.coerce.bigint().min(0n) }).strict(),
  z.object({ all: z.literal(true), sink: z.enum(['elasticsearch', 'postgres']).optional() }).strict(),
]);

/**
 * The DLQ admin API: list the dead letters (newest first, with when each was replayed) and
 * send one of them, or all not yet replayed, back through the pipeline.
 */
export function registerDlqAdminRoutes(app: HttpServer, { kafka, pool, dlqTopic }: DlqAdminDeps): void {
  app.get('/api/admin/dlq', { schema: { querystring: listQuerySchema, response: { 200: z.object({ topic: z.string(), deadLetters: z.array(deadLetterSchema) }) } } }, async (request) => {
    const [letters, replayed] = await Promise.all([listDeadLetters(kafka, dlqTopic, request.query.limit), replayTimes(pool, dlqTopic)]);
    return {
      topic: dlqTopic,
      deadLetters: letters.filter((l) => request.query.sink === undefined || l.sink === request.query.sink).map((l) => ({ ...l, replayedAt: replayed.get(`${l.partition}/${l.offset}`) ?? null })),
    };
  });

  app.post(
    '/api/admin/dlq/replay',
    {
      schema: {
        body: replayBodySchema,
        response: { 200: z.object({ replayed: z.number().int(), skipped: z.number().int() }) },
      },
    },
    async (request) => {
      const body = request.body;
      const { replayed, skipped, notFound } = await replayDeadLetters(kafka, pool, dlqTopic, body);
      if (notFound && 'partition' in body) {
        throw new AppError(404, 'dead_letter_not_found', `no dead letter at partition ${body.partition}, offset ${body.offset} of ${dlqTopic}`);
      }
      return { replayed, skipped };
    },
  );
}
