import { API_KEY_ROLES, type ApiKeyRole } from '@logflow/common';
import { ApiKeyStore, AuditLog, type Config, createLogger, createPool, resourcePatternSchema } from '@logflow/core';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';

export const KEYS_HELP = `Usage: logflow keys <create|list|revoke> ...
  create --name NAME --role ingest|read|admin [--resource-id PATTERN]... [--rate-limit N] [--json]
                      prints the new key once (stored hashed); --resource-id limits a read key (payments-*)
  list [--json]       every key, newest first (never the secrets)
  revoke ID           refused by every process within AUTH_KEY_CACHE_MS
Works straight on Postgres (DATABASE_URL), so it also makes the first admin key of a fresh install.`;

class UsageError extends Error {}

/** `logflow keys ...`: returns the process exit code. Each change is written to the audit log as done by the CLI. */
export async function runKeysCommand(config: Config, args: string[]): Promise<number> {
  // stdout carries the keys: connection warnings go to stderr.
  const logger = createLogger(config, 'keys', process.stderr);
  const pool = createPool(config, logger, { name: 'logflow-keys', max: 1 });
  const store = new ApiKeyStore(pool, { cacheMs: 0 });
  const audit = new AuditLog(pool);
  const actor = `cli:${userInfo().username}`;
  const out = (text: string) => process.stdout.write(`${text}\n`);
  try {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        role: { type: 'string' },
        'resource-id': { type: 'string', multiple: true },
        'rate-limit': { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    const [sub, arg] = positionals;
    if (sub === 'create') {
      if (!values.name) throw new UsageError('--name is required');
      if (!API_KEY_ROLES.includes(values.role as ApiKeyRole)) throw new UsageError(`--role must be one of ${API_KEY_ROLES.join(', ')}`);
      const patterns = values['resource-id'];
      for (const p of patterns ?? []) {
        const parsed = resourcePatternSchema.safeParse(p);
        if (!parsed.success) throw new UsageError(`--resource-id ${JSON.stringify(p)}: ${parsed.error.issues[0]!.message}`);
      }
      const rateLimit = values['rate-limit'] === undefined ? undefined : Number(values['rate-limit']);
      if (rateLimit !== undefined && !(Number.isInteger(rateLimit) && rateLimit > 0)) throw new UsageError('--rate-limit must be a positive integer');
      const input = { name: values.name, role: values.role as ApiKeyRole, resourcePatterns: patterns, rateLimitPerMinute: rateLimit };
      const { key, apiKey } = await store.create({ ...input, createdBy: actor });
      await audit.record({ keyId: null, keyName: actor, action: 'cli keys create', params: input, status: 201, outcome: 'ok', requestId: null });
      if (values.json) {
        out(JSON.stringify({ key, apiKey }, null, 2));
      } else {
        out(`Created ${apiKey.role} key ${apiKey.id} (${apiKey.name}). The key, shown this once:\n\n  ${key}\n\nSend it as: Authorization: Bearer <key>`);
      }
      return 0;
    }
    if (sub === 'list') {
      const keys = await store.list();
      if (values.json) {
        out(JSON.stringify(keys, null, 2));
        return 0;
      }
      out(['ID', 'NAME', 'ROLE', 'PREFIX', 'RESOURCES', 'RATE/MIN', 'CREATED', 'REVOKED'].join('\t'));
      for (const k of keys) {
        out([k.id, k.name, k.role, k.keyPrefix, k.resourcePatterns?.join(',') ?? '*', k.rateLimitPerMinute ?? 'default', k.createdAt, k.revokedAt ?? '-'].join('\t'));
      }
      return 0;
    }
    if (sub === 'revoke') {
      if (!arg) throw new UsageError('revoke needs a key id (logflow keys list)');
      const revoked = await store.revoke(arg);
      await audit.record({ keyId: null, keyName: actor, action: 'cli keys revoke', params: { id: arg }, status: revoked ? 200 : 404, outcome: revoked ? 'ok' : 'failed', requestId: null });
      if (!revoked) {
        process.stderr.write(`no API key ${arg}\n`);
        return 1;
      }
      out(`revoked ${revoked.id} (${revoked.name})`);
      return 0;
    }
    throw new UsageError(KEYS_HELP);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(error as Error).message}\n`);
      return 2;
    }
    throw error;
  } finally {
    await pool.end();
  }
}
