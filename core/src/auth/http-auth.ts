import rateLimit from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.ts';
import type { HttpServer } from '../http.ts';
import type { Logger } from '../logger.ts';
import { keyFromAuthorization, roleAllows, type Access } from './api-keys.ts';
import { auditOutcome, type AuditLog } from './audit.ts';
import type { ApiKey, ApiKeyStore } from './key-store.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The key that authenticated the request; undefined on public routes and with LOGFLOW_AUTH=off. */
    apiKey?: ApiKey;
  }
}

export interface AuthOptions {
  /** LOGFLOW_AUTH: off leaves every route open (local play only). */
  enabled: boolean;
  store: ApiKeyStore;
  /** Rate-limit counters, shared by every process of the installation. */
  redis: Redis;
  redisPrefix: string;
  rateLimitPerMinute: number;
  /** What each route (its method and URL pattern) asks of the caller. */
  access: (method: string, url: string | undefined) => Access;
  /** Where admin actions are written; without it they are not audited. */
  audit?: AuditLog;
  logger: Logger;
}

const unauthorized = (message: string) =>
  new AppError(401, 'unauthorized', message, undefined, { 'www-authenticate': 'Bearer realm="logflow"' });

function accessOf(request: FastifyRequest, options: AuthOptions): Access {
  return options.access(request.method, request.routeOptions.url);
}

/**
 * Authentication, authorization, per-key rate limits and the audit log, for every route
 * registered after it. Call before the routes: the rate limiter attaches itself as routes are added.
 */
export async function installAuth(app: HttpServer, options: AuthOptions): Promise<void> {
  if (!options.enabled) {
    options.logger.warn('LOGFLOW_AUTH=off: every API of this process is open to anyone who can reach its port; use it for local play only');
    return;
  }

  app.addHook('onRequest', async (request) => {
    const access = accessOf(request, options);
    if (access === 'public') return;
    const header = request.headers.authorization;
    if (header === undefined) throw unauthorized('an API key is required: send Authorization: Bearer <key>');
    const key = keyFromAuthorization(header);
    if (!key) throw unauthorized('expected Authorization: Bearer <key> or ApiKey <key>');
    let apiKey: ApiKey | undefined;
    try {
      apiKey = await options.store.authenticate(key);
    } catch (err) {
      // The driver's own error: drizzle's wrapper would print the query's parameters (the key's hash).
      request.log.error({ err: (err as Error).cause ?? err }, 'API key lookup failed');
      throw new AppError(503, 'auth_unavailable', 'cannot check API keys right now (Postgres)', undefined, { 'retry-after': '5' });
    }
    if (!apiKey) throw unauthorized('unknown or revoked API key');
    request.apiKey = apiKey;
    if (!roleAllows(apiKey.role, access)) {
      throw new AppError(403, 'forbidden', `a ${apiKey.role} key cannot use this route (it needs ${access})`);
    }
  });

  await app.register(rateLimit, {
    redis: options.redis,
    nameSpace: `${options.redisPrefix}:rate-limit:`,
    timeWindow: 60_000,
    // Per key; requests without one (public routes) are not limited here.
    allowList: (request) => !request.apiKey,
    keyGenerator: (request) => request.apiKey?.id ?? request.ip,
    max: (request) => request.apiKey?.rateLimitPerMinute ?? options.rateLimitPerMinute,
    // Redis down: serve unlimited rather than refuse every request.
    skipOnError: true,
    errorResponseBuilder: (_request, context) => {
      const seconds = String(Math.max(1, Math.ceil(context.ttl / 1000)));
      return new AppError(429, 'rate_limited', `this key made more than ${context.max} requests a minute; retry in ${context.after}`, undefined, {
        'retry-after': seconds,
      });
    },
  });

  const audit = options.audit;
  if (audit) {
    // Every admin action, allowed or not, by the key that tried it; reads (GET) are not actions.
    // Written before the answer leaves: a client that got its answer finds the row.
    app.addHook('onSend', async (request, reply, payload) => {
      if (request.method === 'GET' || !request.apiKey || accessOf(request, options) !== 'admin') return payload;
      const entry = {
        keyId: request.apiKey.id,
        keyName: request.apiKey.name,
        action: `${request.method} ${request.routeOptions.url}`,
        params: { params: request.params ?? {}, query: request.query ?? {}, body: request.body ?? null },
        status: reply.statusCode,
        outcome: auditOutcome(reply.statusCode),
        requestId: request.id,
      };
      await audit.record(entry).catch((err: unknown) => request.log.error({ err: (err as Error).cause ?? err, action: entry.action }, 'audit row not written'));
      return payload;
    });
  }
}
