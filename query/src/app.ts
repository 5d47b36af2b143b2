import fastifyStatic from '@fastify/static';
import type { Client } from '@elastic/elasticsearch';
import { createHttpServer } from '@logflow/core/http';
import type { Logger } from '@logflow/core/logger';
import { existsSync } from 'node:fs';
import type { AuditLog } from '@logflow/core/auth/audit';
import { installAuth, type AuthOptions } from '@logflow/core/auth/http-auth';
import { queryAccess } from './access.ts';
import { registerApiDocs } from './api-docs.ts';
import { registerDlqAdminRoutes, type DlqAdminDeps } from './dlq-admin.ts';
import { registerAdminJobRoutes, type AdminJobsDeps } from './routes/admin-jobs.ts';
import { registerAdminKeyRoutes } from './routes/admin-keys.ts';
import { registerQueryRoutes, type QueryServices } from './routes/index.ts';
import { DEFAULT_TAIL_OPTIONS } from './tail.ts';

export interface QueryDeps {
  logger: Logger;
  elasticsearch: Client;
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
}

export async function buildQueryApp({ logger, elasticsearch, webRoot, dlq, services, admin, auth }: QueryDeps) {
  const app = createHttpServer({ logger });
  await installAuth(app, { ...auth, access: queryAccess, logger });
  await registerApiDocs(app);
  registerQueryRoutes(app, elasticsearch, services ?? { tail: { ...DEFAULT_TAIL_OPTIONS, maxConnections: 50 }, perKey: { maxTails: 5, maxExports: 2 } });
  if (dlq) registerDlqAdminRoutes(app, dlq);
  if (admin) registerAdminJobRoutes(app, admin);
  registerAdminKeyRoutes(app, { store: auth.store, audit: auth.audit });

  if (webRoot && existsSync(webRoot)) {
    await app.register(fastifyStatic, { root: webRoot });
  } else {
    app.get('/', async () => ({ message: 'LogFlow query API. The dashboard is not built: run `npm run build:web`.' }));
  }

  return app;
}
