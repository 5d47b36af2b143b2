import fastifyStatic from '@fastify/static';
import type { Client } from '@elastic/elasticsearch';
import { errors } from '@elastic/elasticsearch';
import { AppError } from '@logflow/core/errors';
import { createHttpServer } from '@logflow/core/http';
import type { Logger } from '@logflow/core/logger';
import { existsSync } from 'node:fs';
import { registerDlqAdminRoutes, type DlqAdminDeps } from './dlq-admin.ts';
import { searchLogs, searchQuerySchema, searchResultSchema } from './search.ts';

/** ES down, overloaded, or a new daily index whose shards are not active yet: retry later. */
function isUnavailable(error: unknown): boolean {
  if (error instanceof errors.ResponseError) return error.statusCode === 429 || (error.statusCode ?? 0) >= 500;
  return error instanceof errors.ConnectionError || error instanceof errors.TimeoutError || error instanceof errors.NoLivingConnectionsError;
}

export interface QueryDeps {
  logger: Logger;
  elasticsearch: Client;
  /** The built dashboard (`web/dist`); served when it exists. */
  webRoot?: string;
  /** Kafka and Postgres for the DLQ admin API; without them the API is not served. */
  dlq?: DlqAdminDeps;
}

export async function buildQueryApp({ logger, elasticsearch, webRoot, dlq }: QueryDeps) {
  const app = createHttpServer({ logger });
  if (dlq) registerDlqAdminRoutes(app, dlq);

  app.get(
    '/api/logs/search',
    { schema: { querystring: searchQuerySchema, response: { 200: searchResultSchema } } },
    async (request) => {
      try {
        return await searchLogs(elasticsearch, request.query);
      } catch (error) {
        if (isUnavailable(error)) {
          throw new AppError(503, 'search_unavailable', 'Elasticsearch is unreachable; try again shortly', undefined, { 'retry-after': '5' });
        }
        throw error;
      }
    },
  );

  if (webRoot && existsSync(webRoot)) {
    await app.register(fastifyStatic, { root: webRoot });
  } else {
    app.get('/', async () => ({ message: 'LogFlow query API. The dashboard is not built: run `npm run build:web`.' }));
  }

  return app;
}
