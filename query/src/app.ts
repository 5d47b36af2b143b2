import fastifyStatic from '@fastify/static';
import type { Client } from '@elastic/elasticsearch';
import { errors } from '@elastic/elasticsearch';
import { AppError } from '@logflow/core/errors';
import { createHttpServer } from '@logflow/core/http';
import type { Logger } from '@logflow/core/logger';
import { existsSync } from 'node:fs';
import { registerAdminJobRoutes, type AdminJobsDeps } from './routes/admin-jobs.ts';
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
  /** The admin job queue, Postgres and Kafka for the admin API; without them it is not served. */
  admin?: AdminJobsDeps;
}

export async function buildQueryApp({ logger, elasticsearch, webRoot, admin }: QueryDeps) {
  const app = createHttpServer({ logger });
  if (admin) registerAdminJobRoutes(app, admin);

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
