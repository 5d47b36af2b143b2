import type { ApiKey, ApiKeyRole, NewApiKey } from '@logflow/common';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { apiKeys } from '../db/schema.ts';
import { createDatabase, type Database, type Pool } from '../postgres.ts';
import { generateApiKey, hashApiKey, sqlPasswordFor } from './api-keys.ts';

/** The role every scoped key's SQL login belongs to (migration 0005): row-level security restricts it. */
export const SCOPED_READER_ROLE = 'logflow_scoped_reader';
const INSUFFICIENT_PRIVILEGE = '42501';

type Row = typeof apiKeys.$inferSelect;

/** Postgres prints timestamps its own way; the API speaks ISO-8601. */
export const isoTime = (value: string) => new Date(value).toISOString();

function toApiKey(row: Row): ApiKey {
  const { keyHash: _hash, ...rest } = row;
  return { ...rest, role: row.role as ApiKeyRole, createdAt: isoTime(row.createdAt), revokedAt: row.revokedAt && isoTime(row.revokedAt) };
}

/**
 * API keys in Postgres. Lookups are cached for `cacheMs` at most (a found key and an unknown
 * one alike), so a key revoked in any process is refused everywhere within that time.
 */
export class ApiKeyStore {
  private readonly db: Database;
  private readonly cache = new Map<string, { key: ApiKey | undefined; until: number }>();

  constructor(
    private readonly pool: Pool,
    private readonly options: { cacheMs: number },
  ) {
    this.db = createDatabase(pool);
  }

  /** Creates a key and returns it with its secret, which is never shown again. */
  async create(input: NewApiKey): Promise<{ key: string; apiKey: ApiKey }> {
    if (input.resourcePatterns?.length && input.role !== 'read') {
      throw new AppError(400, 'invalid_request', 'resourcePatterns: only read keys can be limited to resources', [
        { field: 'resourcePatterns', rule: 'read_only', message: 'only read keys can be limited to resources' },
      ]);
    }
    const key = generateApiKey();
    const id = randomBytes(8).toString('hex');
    const scoped = Boolean(input.resourcePatterns?.length);
    const sqlRole = scoped ? `logflow_key_${id}` : null;
    const row = await this.db
      .transaction(async (tx) => {
        const [inserted] = await tx
          .insert(apiKeys)
          .values({
            id,
            name: input.name,
            role: input.role,
            keyHash: hashApiKey(key),
            keyPrefix: key.slice(0, 10),
            resourcePatterns: scoped ? input.resourcePatterns! : null,
            rateLimitPerMinute: input.rateLimitPerMinute ?? null,
            sqlRole,
            createdBy: input.createdBy,
          })
          .returning();
        if (sqlRole) {
          const current = await tx.execute<{ schema: string }>(sql`SELECT current_schema() AS schema`);
          const schema = pg.escapeIdentifier(current.rows[0]!.schema);
          await tx.execute(sql.raw(`CREATE ROLE ${sqlRole} LOGIN PASSWORD ${pg.escapeLiteral(sqlPasswordFor(key))} IN ROLE ${SCOPED_READER_ROLE}`));
          // The login's own settings (a group's are not inherited): the installation's schema, read-only, a time limit.
          await tx.execute(sql.raw(`ALTER ROLE ${sqlRole} SET search_path = ${schema}`));
          await tx.execute(sql.raw(`ALTER ROLE ${sqlRole} SET default_transaction_read_only = on`));
          await tx.execute(sql.raw(`ALTER ROLE ${sqlRole} SET statement_timeout = '60s'`));
        }
        return inserted!;
      })
      .catch((error: unknown) => {
        if (sqlRole && (error as { cause?: { code?: string } }).cause?.code === INSUFFICIENT_PRIVILEGE) {
          throw new AppError(503, 'scoped_keys_unavailable', 'keys limited to resources need their own Postgres login, and the DATABASE_URL login may not create roles (CREATEROLE)');
        }
        throw error;
      });
    return { key, apiKey: toApiKey(row) };
  }

  async list(): Promise<ApiKey[]> {
    return (await this.db.select().from(apiKeys).orderBy(desc(apiKeys.createdAt))).map(toApiKey);
  }

  async hasActiveAdmin(): Promise<boolean> {
    const rows = await this.db
      .select({ id: apiKeys.id })
      .from(apiKeys)
      .where(and(eq(apiKeys.role, 'admin'), isNull(apiKeys.revokedAt)))
      .limit(1);
    return rows.length > 0;
  }

  /** Revokes a key (and drops its SQL login); undefined when there is no such key. Revoking twice is harmless. */
  async revoke(id: string): Promise<ApiKey | undefined> {
    const [row] = await this.db.select().from(apiKeys).where(eq(apiKeys.id, id));
    if (!row) return undefined;
    const [revoked] = row.revokedAt ? [row] : await this.db.update(apiKeys).set({ revokedAt: new Date().toISOString() }).where(eq(apiKeys.id, id)).returning();
    if (row.sqlRole) await this.pool.query(`DROP ROLE IF EXISTS ${row.sqlRole}`);
    this.cache.clear();
    return toApiKey(revoked!);
  }

  /** The key, when this process has it cached as active: using it costs no lookup. */
  cachedActive(key: string): ApiKey | undefined {
    const cached = this.cache.get(hashApiKey(key));
    return cached && cached.until > Date.now() ? cached.key : undefined;
  }

  /** The active key a request presented, or undefined. */
  async authenticate(key: string): Promise<ApiKey | undefined> {
    const hash = hashApiKey(key);
    const now = Date.now();
    const cached = this.cache.get(hash);
    if (cached && cached.until > now) return cached.key;
    const [row] = await this.db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.keyHash, hash), isNull(apiKeys.revokedAt)));
    const found = row && toApiKey(row);
    if (this.options.cacheMs > 0) {
      // Bounded: a flood of made-up keys must not grow the cache without end.
      if (this.cache.size >= 10_000) this.cache.clear();
      this.cache.set(hash, { key: found, until: now + this.options.cacheMs });
    }
    return found;
  }
}

export const FIRST_KEY_HELP = 'create the first admin key with `logflow keys create --name admin --role admin` (it is printed once)';

/** A fresh install has no key: say how to make the first one. */
export async function tellHowToGetAnAdminKey(store: ApiKeyStore, logger: Logger): Promise<void> {
  if (!(await store.hasActiveAdmin())) logger.warn(`no active admin API key exists: ${FIRST_KEY_HELP}`);
}
