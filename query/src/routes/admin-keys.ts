import { API_KEY_ROLES } from '@logflow/common';
import { type ApiKeyStore, AppError, type AuditLog, type HttpServer, resourcePatternSchema } from '@logflow/core';
import { z } from 'zod';

export interface AdminKeysDeps {
  store: ApiKeyStore;
  audit: AuditLog;
  /** LOGFLOW_AUTH: with keys off the key routes refuse (see keysOffRefusal). */
  keysOn: boolean;
}

/**
 * With keys off anyone who reaches the port is "admin": letting them mint keys would hand out
 * admin keys that work on keys-on installations sharing the database. As Elasticsearch and
 * Kibana refuse API-key management while security is off, these routes then answer 403; the
 * `logflow keys` CLI (which needs the database's own credentials) still works.
 */
function refuseWhenKeysOff(keysOn: boolean): void {
  if (!keysOn) {
    throw new AppError(403, 'api_keys_off', 'API keys cannot be managed over HTTP while LOGFLOW_AUTH=off; use `logflow keys` on the host, or turn keys on');
  }
}

export const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(API_KEY_ROLES),
  keyPrefix: z.string().describe('the first characters of the key, to recognise it'),
  resourcePatterns: z.array(z.string()).nullable().describe('resourceIds a read key is limited to; null: every log'),
  rateLimitPerMinute: z.number().int().nullable().describe('null: AUTH_RATE_LIMIT_PER_MINUTE'),
  sqlRole: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
  revokedAt: z.string().nullable(),
});

const newKeySchema = z
  .object({
    name: z.string().min(1).max(100),
    role: z.enum(API_KEY_ROLES),
    resourcePatterns: z.array(resourcePatternSchema).min(1).max(50).optional().describe('read keys only: e.g. ["payments-*"]'),
    rateLimitPerMinute: z.number().int().min(1).max(1_000_000).optional(),
  })
  .strict();

const auditEntrySchema = z.object({
  id: z.number().int(),
  at: z.string(),
  keyId: z.string().nullable(),
  keyName: z.string().nullable(),
  action: z.string(),
  params: z.record(z.string(), z.unknown()),
  status: z.number().int().nullable().describe('null: the action started and its end was not recorded'),
  outcome: z.enum(['ok', 'denied', 'failed', 'started']),
  requestId: z.string().nullable().describe("the server's id of the request"),
  clientRequestId: z.string().nullable().describe('the x-request-id the client sent, if any'),
});

/** API keys (create, list, revoke) and the audit log, for admin keys. */
export function registerAdminKeyRoutes(app: HttpServer, { store, audit, keysOn }: AdminKeysDeps): void {
  app.post(
    '/api/admin/keys',
    {
      schema: {
        tags: ['admin'],
        summary: 'Create an API key; the key is in this answer only',
        body: newKeySchema,
        response: { 201: z.object({ key: z.string().describe('the secret: shown once, stored hashed'), apiKey: apiKeySchema }) },
      },
    },
    async (request, reply) => {
      refuseWhenKeysOff(keysOn);
      const created = await store.create({ ...request.body, createdBy: `key:${request.apiKey!.id}` });
      // The secret must not linger in caches between the service and the client.
      return reply.status(201).header('cache-control', 'no-store').send(created);
    },
  );

  app.get('/api/admin/keys', { schema: { tags: ['admin'], summary: 'Every API key, newest first (never the secrets)', response: { 200: z.object({ keys: z.array(apiKeySchema) }) } } }, async () => {
    refuseWhenKeysOff(keysOn);
    return { keys: await store.list() };
  });

  app.delete(
    '/api/admin/keys/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'Revoke an API key: every process refuses it within AUTH_KEY_CACHE_MS',
        params: z.object({ id: z.string().regex(/^[0-9a-f]{16}$/, 'expected a key id') }),
        response: { 200: apiKeySchema },
      },
    },
    async (request) => {
      refuseWhenKeysOff(keysOn);
      const revoked = await store.revoke(request.params.id);
      if (!revoked) throw new AppError(404, 'key_not_found', `no API key ${request.params.id}`);
      return revoked;
    },
  );

  app.get(
    '/api/admin/audit',
    {
      schema: {
        tags: ['admin'],
        summary: 'The audit log: which key did which admin action, when, with which parameters and outcome; newest first',
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          keyId: z.string().max(64).optional(),
          action: z.string().max(200).optional().describe('e.g. "POST /api/admin/jobs/reindex"'),
          before: z.coerce.number().int().positive().optional().describe('entries older than this id (the next page)'),
        }),
        response: { 200: z.object({ entries: z.array(auditEntrySchema) }) },
      },
    },
    async (request) => ({ entries: await audit.list(request.query) }),
  );
}
