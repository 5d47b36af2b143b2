import { z } from 'zod';
import { createHttpServer } from '@logflow/core/http';
import { newLogId } from '@logflow/core/ids';
import { logEventSchema, toLogRecord } from '@logflow/core/log-event';
import type { Logger } from '@logflow/core/logger';
import type { LogProducer } from './log-producer.ts';

export interface IngesterDeps {
  logger: Logger;
  producer: Pick<LogProducer, 'send'>;
}

export function buildIngesterApp({ logger, producer }: IngesterDeps) {
  const app = createHttpServer({ logger });

  app.get('/', { schema: { response: { 200: z.object({ message: z.string() }) } } }, async () => ({
    message: 'Hello from the LogFlow ingester. POST your logs to /logs.',
  }));

  app.post(
    '/logs',
    { schema: { body: logEventSchema, response: { 202: z.object({ id: z.uuid() }) } } },
    async (request, reply) => {
      const record = toLogRecord(request.body, request.body.id ?? newLogId(), new Date());
      await producer.send([record]);
      return reply.status(202).send({ id: record.id });
    },
  );

  return app;
}
