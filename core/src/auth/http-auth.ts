import rateLimit from '@fastify/rate-limit';
import type { ApiKey } from '@logflow/common';
import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.ts';
import type { HttpServer } from '../http.ts';
import type { Logger } from '../logger.ts';
import { keyFromAuthorization, roleAllows, type Access } from './api-keys.ts';
import { auditOutcome, type AuditLog } from './audit.ts';
import { FailedAuthLimit, type FailedAuthOptions } from './failed-auth.ts';
import type { ApiKeyStore } from './key-store.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The key that authenticated the request; undefined on public routes and with LOGFLOW_AUTH=off. */
    apiKey?: ApiKey;
    /** Asks again whether that key is still active (not revoked): long-running streams end when it no longer is. */
    apiKeyStillActive?: () => Promise<boolean>;
  }
}

export interface AuthOptions {
  /** LOGFLOW_AUTH: off leaves every route open (local play only, on loopback unless the operator opened it). */
  enabled: boolean;
  /** Keys off and bound to a network address (LOGFLOW_AUTH_OFF_ALLOW_REMOTE=true). */
  openToNetwork?: boolean;
  store: ApiKeyStore;
  /** Rate-limit counters, shared by every process of the installation. */
  redis: Redis;
  redisPrefix: string;
  rateLimitPerMinute: number;
  /** Failed authentications allowed per client address (AUTH_MAX_FAILURES_PER_ADDRESS in AUTH_FAILURE_WINDOW). */
  failures: FailedAuthOptions;
  /** What each route (its method and URL pattern) asks of the caller. */
  access: (method: string, url: string | undefined) => Access;
  /** Where admin actions are written; without it they are not audited. */
  audit?: AuditLog;
  /** Which routes are audited; by default the admin ones but their reads. */
  audited?: AuditedRoutes;
  logger: Logger;
}

const unauthorized = (message: string) => new AppError(401, 'unauthorized', message, undefined, { 'www-authenticate': 'Bearer realm="logflow"' });

function accessOf(request: FastifyRequest, options: AuthOptions): Access {
  return options.access(request.method, request.routeOptions.url);
}

/**
 * Authentication, authorization, per-key rate limits and the audit log, for every route
 * registered after it. Call before the routes: the rate limiter attaches itself as routes are added.
 */
export async function installAuth(app: HttpServer, options: AuthOptions): Promise<void> {
  if (options.audit) installAudit(app, options, options.audit);
  if (!options.enabled) {
    if (options.openToNetwork) {
      options.logger.warn('LOGFLOW_AUTH=off with LOGFLOW_AUTH_OFF_ALLOW_REMOTE=true: every API of this process, admin included, is open to anyone on the network who can reach its port');
    } else {
      options.logger.warn('LOGFLOW_AUTH=off: every API of this process is open to anyone who can reach its port (loopback only); use it for local play only');
    }
    return;
  }

  const failures = new FailedAuthLimit(options.redis, options.redisPrefix, options.failures, options.logger);
  app.addHook('onRequest', async (request) => {
    const access = accessOf(request, options);
    if (access === 'public') return;
    const header = request.headers.authorization;
    if (header === undefined) throw unauthorized('an API key is required: send Authorization: Bearer <key>');
    const key = keyFromAuthorization(header);
    // A key this process holds as valid is not held back; any other is, once its address failed too often.
    let apiKey = key === undefined ? undefined : options.store.cachedActive(key);
    if (!apiKey) {
      const waitMs = await failures.retryAfterMs(request.ip);
      if (waitMs > 0) {
        const seconds = Math.ceil(waitMs / 1_000);
        throw new AppError(429, 'too_many_failed_authentications', `too many failed authentications from this address; retry in ${seconds} s`, undefined, {
          'retry-after': String(seconds),
        });
      }
    }
    if (!key) {
      await failures.countFailure(request.ip);
      throw unauthorized('expected Authorization: Bearer <key>, ApiKey <key>, or Basic with the key as the password');
    }
    try {
      apiKey ??= await options.store.authenticate(key);
    } catch (err) {
      // The driver's own error: drizzle's wrapper would print the query's parameters (the key's hash).
      request.log.error({ err: (err as Error).cause ?? err }, 'API key lookup failed');
      throw new AppError(503, 'auth_unavailable', 'cannot check API keys right now (Postgres)', undefined, { 'retry-after': '5' });
    }
    if (!apiKey) {
      await failures.countFailure(request.ip);
      throw unauthorized('unknown or revoked API key');
    }
    request.apiKey = apiKey;
    const { id } = apiKey;
    request.apiKeyStillActive = () =>
      options.store.authenticate(key).then(
        (found) => found?.id === id,
        (err: unknown) => {
          // Postgres away for a moment must not cut every open stream: the next check decides.
          request.log.warn({ err: (err as Error).cause ?? err }, 'API key re-check failed; the stream goes on');
          return true;
        },
      );
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
}

/**
 * What a request's parsed parameters are as JSON: schemas may coerce values to types JSON has
 * no word for (a Kafka offset is a bigint), and the audit row's jsonb must still be written.
 */
const asJson = (value: Record<string, unknown>): Record<string, unknown> =>
  JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as Record<string, unknown>;

/** Who the audit log names for a request without a key: with keys off, anyone who reached the port. */
export const ANONYMOUS_ACTOR = 'anonymous (auth off)';

/** Which requests the audit log records, by method and route pattern (HEAD and OPTIONS never). */
export type AuditedRoutes = (method: string, url: string | undefined) => boolean;

/** By default: every admin route but its reads. */
const adminActions =
  (options: AuthOptions): AuditedRoutes =>
  (method, url) =>
    method !== 'GET' && options.access(method, url) === 'admin';

/**
 * The audit log: every audited request, allowed or not, by the key that made it (or anonymous
 * with keys off). An action is written before it runs (after authentication and validation),
 * and not run at all when that write fails (503): no action goes unrecorded. Its row is then
 * completed with the answer's status before the answer leaves. Requests refused before they
 * could run (403, 400) are written as they are answered.
 */
function installAudit(app: HttpServer, options: AuthOptions, audit: AuditLog): void {
  const audited = options.audited ?? adminActions(options);
  // Rows written for an action, by request; 'unwritten' when the first write failed.
  const rows = new WeakMap<FastifyRequest, number | 'unwritten'>();
  const applies = (request: FastifyRequest) => {
    if (request.method === 'HEAD' || request.method === 'OPTIONS') return false;
    // With keys on, a request without a valid key was refused before reaching anything: not written (anyone could fill the table).
    if (options.enabled && !request.apiKey) return false;
    return audited(request.method, request.routeOptions.url);
  };
  const entryOf = (request: FastifyRequest) => {
    const client = request.headers['x-request-id'];
    return {
      keyId: request.apiKey?.id ?? null,
      keyName: request.apiKey?.name ?? ANONYMOUS_ACTOR,
      action: `${request.method} ${request.routeOptions.url}`,
      params: asJson({ params: request.params ?? {}, query: request.query ?? {}, body: request.body ?? null }),
      requestId: request.id,
      clientRequestId: typeof client === 'string' ? client.slice(0, 200) : null,
    };
  };

  app.addHook('preHandler', async (request) => {
    if (!applies(request)) return;
    const entry = entryOf(request);
    try {
      rows.set(request, await audit.start(entry));
    } catch (err) {
      rows.set(request, 'unwritten');
      request.log.error({ err: (err as Error).cause ?? err, action: entry.action }, 'audit row not written; the action is refused');
      throw new AppError(503, 'audit_unavailable', 'the audit log cannot be written right now, so this action was not run', undefined, { 'retry-after': '5' });
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (!applies(request)) return payload;
    const row = rows.get(request);
    if (row === 'unwritten') return payload;
    const status = reply.statusCode;
    const write = row === undefined ? audit.record({ ...entryOf(request), status, outcome: auditOutcome(status) }) : audit.finish(row, status);
    await write.catch((err: unknown) => request.log.error({ err: (err as Error).cause ?? err, action: `${request.method} ${request.routeOptions.url}`, status }, 'audit row not completed'));
    return payload;
  });
}
