import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AcceptLogs } from '../accept-logs.ts';
import { addBufferParser, parseNdjsonBody } from '../body-parsers.ts';
import { bulkItems, EMPTY_ACTION_LINES, parseBulkLines, toValidationItem } from './elastic-bulk.ts';

/** Routes of this plugin that need an ingest (or admin) key, for the ingester's access rule (POST). */
export const ELASTIC_INGEST_ROUTES = ['/_bulk', '/:index/_bulk'] as const;

/**
 * The Elasticsearch version GET / reports: the 8.x line the tested client (@elastic/elasticsearch
 * 8.19) and current shippers accept. It is a compatibility claim about the bulk API only.
 */
export const ELASTIC_COMPAT_VERSION = '8.19.0';

/** Content types Elasticsearch clients and shippers send a bulk body with; each is read as NDJSON. */
const BULK_CONTENT_TYPES = ['application/json', 'application/x-ndjson', 'application/vnd.elasticsearch+json', 'application/vnd.elasticsearch+x-ndjson'];

export interface ElasticBulkOptions {
  acceptLogs: AcceptLogs;
  /** Whether Kafka takes logs now: the health shippers probe (Vector, rsyslog) is this. */
  isReady: () => boolean;
  /** Counts request bytes after decompression, as the other ingest routes do. */
  onBodyBytes: (request: object, bytes: number) => void;
}

const clusterInfoSchema = z.object({
  name: z.string(),
  cluster_name: z.string(),
  cluster_uuid: z.string(),
  version: z.object({
    number: z.string(),
    build_flavor: z.string(),
    build_type: z.string(),
    build_snapshot: z.boolean(),
    minimum_wire_compatibility_version: z.string(),
    minimum_index_compatibility_version: z.string(),
  }),
  tagline: z.string(),
  message: z.string(),
});

const itemAnswerSchema = z.object({
  _index: z.string(),
  _id: z.string().nullable(),
  status: z.number().int(),
  result: z.literal('created').optional(),
  error: z.object({ type: z.string(), reason: z.string() }).optional(),
});
const bulkAnswerSchema = z.object({
  took: z.number().int(),
  errors: z.boolean(),
  // Each item is keyed by its operation. An object of optional keys rather than a partial record: zod checks
  // each answer of a 1,000-item request in half the time (the answer is checked as it is serialized).
  items: z.array(z.object({ index: itemAnswerSchema.optional(), create: itemAnswerSchema.optional(), update: itemAnswerSchema.optional(), delete: itemAnswerSchema.optional() })),
});
const bulkQuerySchema = z.object({
  refresh: z.enum(['false'], { error: 'LogFlow answers once Kafka holds the logs, shortly before they are searchable: refresh=true and refresh=wait_for are not supported' }).optional(),
});
const indexParamsSchema = z.object({ index: z.string().min(1).max(255) });

/**
 * The Elasticsearch bulk API on the ingester (`POST /_bulk`, `POST /{index}/_bulk`), with what
 * clients call around it: `GET /` and `HEAD /` (cluster info) and `_refresh`. Logs go through
 * the same acceptance as `POST /logs`; answers are in Elasticsearch's shape, one item per
 * action, so a client retries exactly the refused ones.
 */
export const elasticBulkRoutes: FastifyPluginAsyncZod<ElasticBulkOptions> = async (app, { acceptLogs, isReady, onBodyBytes }) => {
  app.removeAllContentTypeParsers();
  addBufferParser(app, BULK_CONTENT_TYPES, (body) => parseNdjsonBody(body, EMPTY_ACTION_LINES), onBodyBytes);

  // Elasticsearch clients (8.x) refuse any 2xx answer without this header.
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-elastic-product', 'Elasticsearch');
  });
  // Whole-request refusals in Elasticsearch's words too (type, reason, status), beside LogFlow's own.
  app.addHook('preSerialization', async (_request, reply, payload: unknown) => {
    const error = (payload as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    if (reply.statusCode < 400 || typeof error?.code !== 'string') return payload;
    const reason = String(error.message);
    return { ...(payload as object), error: { type: error.code, reason, root_cause: [{ type: error.code, reason }], ...error }, status: reply.statusCode };
  });

  app.get('/', { schema: { response: { 200: clusterInfoSchema } } }, async () => ({
    name: 'logflow-ingester',
    cluster_name: 'logflow',
    cluster_uuid: '_na_',
    version: {
      number: ELASTIC_COMPAT_VERSION,
      build_flavor: 'default',
      build_type: 'logflow',
      build_snapshot: false,
      minimum_wire_compatibility_version: '7.17.0',
      minimum_index_compatibility_version: '7.0.0',
    },
    tagline: 'LogFlow takes logs through the Elasticsearch bulk API; search them with the LogFlow query API',
    message: 'Hello from the LogFlow ingester. POST your logs to /logs, or to /_bulk as to Elasticsearch.',
  }));

  const bulk = async (index: string | undefined, lines: unknown[]) => {
    const started = performance.now();
    const actions = parseBulkLines(lines, index);
    const { valid, errors, records } = await acceptLogs(actions.map((a) => toValidationItem(a.item)));
    const items = bulkItems(actions, valid, records, errors);
    return { took: Math.round(performance.now() - started), errors: errors.length > 0, items };
  };

  // The parser hands over an array of lines: checked as one, not copied element by element as z.array(z.unknown()) does.
  const bulkBodySchema = z.custom<unknown[]>((body) => Array.isArray(body), { error: 'expected an NDJSON body: action lines, each followed by its document' });
  const bulkSchema = { querystring: bulkQuerySchema, body: bulkBodySchema, response: { 200: bulkAnswerSchema } };
  app.post('/_bulk', { schema: bulkSchema }, async (request) => bulk(undefined, request.body));
  app.post('/:index/_bulk', { schema: { ...bulkSchema, params: indexParamsSchema } }, async (request) => bulk(request.params.index, request.body));

  // Shippers probe these before sending (Vector: _cluster/health, rsyslog: HEAD _cat/health): green while
  // Kafka takes logs, red (503) while it does not, as /readyz says.
  const health = () => ({ cluster_name: 'logflow', status: isReady() ? ('green' as const) : ('red' as const) });
  const healthSchema = { response: { '2xx': z.object({ cluster_name: z.string(), status: z.enum(['green', 'red']) }), 503: z.object({ cluster_name: z.string(), status: z.enum(['green', 'red']) }) } };
  for (const url of ['/_cluster/health', '/_cat/health']) {
    app.get(url, { schema: healthSchema }, async (_request, reply) => {
      const answer = health();
      return reply.status(answer.status === 'green' ? 200 : 503).send(answer);
    });
  }

  // The bulk helper (pino-elasticsearch) refreshes when it completes. LogFlow's stores show logs within
  // seconds on their own: nothing to do, no shard claims to have done it, and nothing to protect with a key.
  const refreshed = { _shards: { total: 0, successful: 0, failed: 0 } };
  const refreshSchema = { response: { 200: z.object({ _shards: z.object({ total: z.number(), successful: z.number(), failed: z.number() }) }) } };
  app.route({ method: ['GET', 'POST'], url: '/_refresh', schema: refreshSchema, handler: async () => refreshed });
  app.route({ method: ['GET', 'POST'], url: '/:index/_refresh', schema: { ...refreshSchema, params: indexParamsSchema }, handler: async () => refreshed });
};
