import { z } from 'zod';
import { type Access, AppError, type AuthOptions, createHttpServer, installAuth, type Logger, type LogRecord, registerMetricsRoute } from '@logflow/core';
import type { Registry } from 'prom-client';
import { BodyBudget } from './body-budget.ts';
import { registerBodyParsers } from './body-parsers.ts';
import type { IngestMetrics } from './ingest-metrics.ts';
import { createAcceptLogs } from './accept-logs.ts';
import { ELASTIC_INGEST_ROUTES, elasticBulkRoutes } from './protocols/elastic-bulk-routes.ts';
import { lokiPushRoute } from './protocols/loki-route.ts';
import { otlpLogsRoute } from './protocols/otlp-route.ts';
import type { ItemError, TimestampWindow } from './validate-items.ts';

export interface IngesterDeps {
  logger: Logger;
  producer: { send(records: LogRecord[]): Promise<void>; isReady(): boolean };
  metrics: IngestMetrics;
  registry: Registry;
  bodyLimitBytes: number;
  /** Body bytes of the requests in progress, from read to answer (see BodyBudget); beyond it 429. */
  inProgressMaxBytes: number;
  maxBatchItems: number;
  timestampWindow: TimestampWindow;
  /** Told how many logs each 2xx acknowledged: the completeness ledger's "accepted". */
  onAccepted(count: number): void;
  /** API keys and rate limits (see installAuth); POST /logs needs an ingest (or admin) key. */
  auth: Omit<AuthOptions, 'access' | 'logger' | 'audit'>;
}

/** The routes that take logs, by URL pattern: each needs an ingest (or admin) key. */
const INGEST_ROUTES = new Set<string | undefined>(['/logs', '/v1/logs', '/loki/api/v1/push', ...ELASTIC_INGEST_ROUTES]);

/** Only ingestion needs a key; health, readiness and metrics stay open to probes and scrapers. */
const ingesterAccess = (method: string, url: string | undefined): Access => (method === 'POST' && INGEST_ROUTES.has(url) ? 'ingest' : 'public');

const itemErrorSchema = z.object({ index: z.number(), field: z.string(), rule: z.string(), message: z.string() });
const ingestBodySchema = z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())], {
  error: 'expected a log object, a JSON array of logs, or NDJSON',
});
const ingestQuerySchema = z.object({
  atomic: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('refuse the whole batch when any item is invalid'),
});
const singleAcceptedSchema = z.object({ id: z.uuid() });
const batchAcceptedSchema = z.object({
  accepted: z.number().int(),
  rejected: z.number().int(),
  /** In request order; null where the item was refused. Plain strings: the ids were made or checked already. */
  ids: z.array(z.string().nullable()),
  errors: z.array(itemErrorSchema),
});

function invalid(errors: ItemError[], what: string): AppError {
  const summary = errors
    .slice(0, 5)
    .map((e) => `[${e.index}] ${e.field}: ${e.message}`)
    .join('; ');
  return new AppError(400, 'invalid_logs', `${what}: ${summary}${errors.length > 5 ? '; …' : ''}`, errors);
}

export async function buildIngesterApp(deps: IngesterDeps) {
  const { producer, metrics } = deps;
  const acceptLogs = createAcceptLogs(deps);
  const app = createHttpServer({ logger: deps.logger, bodyLimit: deps.bodyLimitBytes, requestLogLevel: 'debug' });
  await installAuth(app, { ...deps.auth, access: ingesterAccess, logger: deps.logger });
  const budget = new BodyBudget(deps.inProgressMaxBytes);
  const onBodyBytes = (request: object, bytes: number) => {
    metrics.bytes.inc(bytes);
    budget.record(request, bytes);
  };
  registerBodyParsers(app, onBodyBytes);
  // The first hook after a body is parsed: a request over the budget is refused before anything else is made of it.
  app.addHook('preValidation', async (request, reply) => budget.take(request, reply.raw));
  registerMetricsRoute(app, deps.registry);
  app.addHook('onError', async (_request, _reply, error) => {
    metrics.rejected.inc({ reason: (error as { code?: string }).code ?? 'error' });
  });

  app.get('/healthz', { schema: { response: { 200: z.object({ status: z.literal('ok') }) } } }, async () => ({ status: 'ok' as const }));

  app.get('/readyz', { schema: { response: { 200: z.object({ status: z.literal('ready') }), 503: z.object({ status: z.literal('not_ready'), reason: z.string() }) } } }, async (_request, reply) =>
    producer.isReady() ? { status: 'ready' as const } : reply.status(503).send({ status: 'not_ready', reason: 'Kafka is not reachable or its last produce request failed' }),
  );

  app.post(
    '/logs',
    {
      schema: {
        querystring: ingestQuerySchema,
        body: ingestBodySchema,
        response: { 202: z.union([singleAcceptedSchema, batchAcceptedSchema]), 207: batchAcceptedSchema },
      },
    },
    async (request, reply) => {
      const single = !Array.isArray(request.body);
      const items: unknown[] = single ? [request.body] : (request.body as unknown[]);
      const { valid, errors, records } = await acceptLogs(items, ({ valid, errors }) => {
        if (single && errors.length > 0) throw invalid(errors, 'the log is invalid');
        if (valid.length === 0 && errors.length > 0) throw invalid(errors, 'every log in the batch is invalid');
        if (request.query.atomic && errors.length > 0) throw invalid(errors, 'atomic batch refused, nothing was accepted');
      });

      if (single) return reply.status(202).send({ id: records[0]!.id });
      const ids: (string | null)[] = items.map(() => null);
      valid.forEach(({ index }, i) => (ids[index] = records[i]!.id));
      return reply.status(errors.length > 0 ? 207 : 202).send({ accepted: records.length, rejected: new Set(errors.map((e) => e.index)).size, ids, errors });
    },
  );

  await app.register(otlpLogsRoute, { acceptLogs, metrics, onBodyBytes });
  await app.register(lokiPushRoute, { acceptLogs, metrics, bodyLimitBytes: deps.bodyLimitBytes, onBodyBytes });
  await app.register(elasticBulkRoutes, { acceptLogs, isReady: () => producer.isReady(), onBodyBytes });

  return app;
}
