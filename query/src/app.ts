import fastifyStatic from '@fastify/static';
import type { Client } from '@elastic/elasticsearch';
import { type AuditLog, type AuthOptions, createHttpServer, type IndexNames, installAuth, type Logger, type Pool } from '@logflow/core';
import { existsSync } from 'node:fs';
import { queryAccess, queryAudited } from './access.ts';
import { registerApiDocs } from './api-docs.ts';
import { installSecurityHeaders } from './security-headers.ts';
import { registerDlqAdminRoutes, type DlqAdminDeps } from './dlq-admin.ts';
import { registerAdminJobRoutes, type AdminJobsDeps } from './routes/admin-jobs.ts';
import { registerAdminKeyRoutes } from './routes/admin-keys.ts';
import { webCacheControl } from './web-cache-control.ts';
import { registerAuthMeRoute } from './routes/auth-me.ts';
import { registerQueryRoutes, type QueryServices } from './routes/index.ts';
import { registerSavedSearchRoutes } from './routes/saved-searches.ts';
import { DEFAULT_TAIL_OPTIONS } from './tail.ts';

export interface QueryDeps {
  logger: Logger;
  elasticsearch: Client;
  /** The installation's Elasticsearch names (ES_INDEX_PREFIX): searches go to its read alias. */
  names: IndexNames;
  /** The built dashboard (`web/dist`); served when it exists. */
  webRoot?: string;
  /** Kafka and Postgres for the DLQ admin API; without them the API is not served. */
  dlq?: DlqAdminDeps;
  /** Freshness, the SQL console and tail limits; without them search works alone. */
  services?: QueryServices;
  /** The admin job queue, Postgres and Kafka for the admin API; without them it is not served. */
  admin?: AdminJobsDeps;
  /** API keys, rate limits and the audit log (see installAuth). */
  auth: Omit<AuthOptions, 'access' | 'logger' | 'audit'> & { audit: AuditLog };
  /** Postgres for the dashboard's saved searches; without it they are not served. */
  savedSearches?: { pool: Pool };
}

export async function buildQueryApp({ logger, elasticsearch, names, webRoot, dlq, services, admin, auth, savedSearches }: QueryDeps) {
  const dashboard = webRoot !== undefined && existsSync(webRoot);
  const app = createHttpServer({
    logger,
    // The dashboard's own paths (/search, /admin?…) are routes of its router: a page load gets index.html.
    notFound: dashboard ? (request, reply) => (request.method === 'GET' && !request.url.startsWith('/api/') ? reply.sendFile('index.html') : undefined) : undefined,
  });
  await installSecurityHeaders(app, webRoot);
  await installAuth(app, { ...auth, access: queryAccess, audited: queryAudited, logger });
  await registerApiDocs(app);
  registerQueryRoutes(app, elasticsearch, names.readAlias, services ?? { tail: { ...DEFAULT_TAIL_OPTIONS, maxConnections: 50 }, perKey: { maxTails: 5, maxExports: 2, maxSql: 4 } });
  if (dlq) registerDlqAdminRoutes(app, dlq);
  if (admin) registerAdminJobRoutes(app, admin);
  registerAdminKeyRoutes(app, { store: auth.store, audit: auth.audit, keysOn: auth.enabled });
  if (auth.enabled) registerAuthMeRoute(app);
  if (savedSearches) registerSavedSearchRoutes(app, savedSearches);

  if (dashboard) {
    await app.register(fastifyStatic, {
      root: webRoot,
      // The build writes .br and .gz beside each file: served to browsers that take them, compressed once.
      preCompressed: true,
      setHeaders: (reply, path) => {
        reply.header('cache-control', webCacheControl(path));
      },
    });
  } else {
    app.get('/', async () => ({ message: 'LogFlow query API. The dashboard is not built: run `npm run build:web`.' }));
  }

  return app;
}
