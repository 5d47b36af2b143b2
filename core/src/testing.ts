import type { Redis } from 'ioredis';
import type { ApiKey, ApiKeyRole, AuditEntry } from '@logflow/common';
import { auditOutcome, type AuditLog } from './auth/audit.ts';
import type { AuthOptions } from './auth/http-auth.ts';
import type { ApiKeyStore } from './auth/key-store.ts';

// For unit tests only: what installAuth and the audit log take from Postgres and Redis, in
// memory, so a role's app can be built and answered with `inject` without an engine. Pipeline
// tests use the real ones.

/** API keys by their secret; every request looks its key up (nothing cached). */
export class FakeKeyStore {
  private readonly keys = new Map<string, ApiKey>();

  /** A key of `role` whose secret is `secret`, limited to `rateLimitPerMinute` requests when given. */
  add(secret: string, role: ApiKeyRole, rateLimitPerMinute: number | null = null): ApiKey {
    const key: ApiKey = {
      id: `key-${this.keys.size + 1}`,
      name: `${role} key`,
      role,
      keyPrefix: secret.slice(0, 10),
      resourcePatterns: null,
      rateLimitPerMinute,
      sqlRole: null,
      createdAt: new Date(0).toISOString(),
      createdBy: 'test',
      revokedAt: null,
    };
    this.keys.set(secret, key);
    return key;
  }

  cachedActive(): ApiKey | undefined {
    return undefined;
  }

  async authenticate(secret: string): Promise<ApiKey | undefined> {
    return this.keys.get(secret);
  }
}

/**
 * The two Lua commands @fastify/rate-limit defines, counted in memory (the window never ends
 * within a test). `status` is not 'ready', so the failed-authentication counter
 * (rate-limiter-flexible) sees Redis unavailable and does not limit, as in an outage.
 */
class FakeRateLimitRedis {
  readonly status = 'end';
  private readonly counts = new Map<string, number>();

  rateLimit(key: string, timeWindow: number, ...rest: unknown[]): void {
    const done = rest.at(-1) as (error: Error | null, result: [number, number]) => void;
    const current = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, current);
    done(null, [current, timeWindow]);
  }

  rateLimitRead(key: string, done: (error: Error | null, result: [number, number]) => void): void {
    done(null, [this.counts.get(key) ?? 0, 0]);
  }
}

/** installAuth's options but `access`, `logger` and `audit`, with keys on, checked against `keys`. */
export function fakeAuth(keys: FakeKeyStore): Omit<AuthOptions, 'access' | 'logger' | 'audit'> {
  return {
    enabled: true,
    // installAuth calls only cachedActive and authenticate.
    store: keys as unknown as ApiKeyStore,
    redis: new FakeRateLimitRedis() as unknown as Redis,
    redisPrefix: 'test',
    rateLimitPerMinute: 6_000,
    failures: { max: 20, windowMs: 300_000 },
  };
}

/** The audit log's rows in memory, in the order they were written. */
export class FakeAuditLog {
  readonly rows: AuditEntry[] = [];

  async record(entry: AuditEntry): Promise<void> {
    this.rows.push(entry);
  }

  async start(entry: Omit<AuditEntry, 'status' | 'outcome'>): Promise<number> {
    return this.rows.push({ ...entry, status: null, outcome: 'started' }) - 1;
  }

  async finish(id: number, status: number): Promise<void> {
    Object.assign(this.rows[id]!, { status, outcome: auditOutcome(status) });
  }

  /** As the AuditLog type the apps take: they write rows only (list is the admin API's, over Postgres). */
  get asAuditLog(): AuditLog {
    return this as unknown as AuditLog;
  }
}
