import { type Config, createPool, type Logger, sqlPasswordFor } from '@logflow/core';
import pg from 'pg';
import { guardedStream } from './message-size-guard.ts';

/** Keys whose pools are kept; the least recently used beyond it is closed. */
const MAX_POOLS = 50;

/**
 * Connections for the SQL console of read keys limited to resources. Each such key has a
 * Postgres login of its own (made when the key was created, password derived from the key),
 * and row-level security shows that login only its key's resources. Logging in as it, rather
 * than switching roles, leaves no statement a way back to a wider role.
 */
export class ScopedSqlLogins {
  private readonly pools = new Map<string, pg.Pool>();

  constructor(
    private readonly config: Config,
    private readonly logger: Logger,
    /** The key's statements at once (the per-key cap): none waits for a connection. */
    private readonly maxConnections = 4,
    /** The longest message its connections read from Postgres (see guardedStream). */
    private readonly maxMessageBytes = 33 * 1024 * 1024,
  ) {}

  pool(sqlRole: string, key: string): pg.Pool {
    const existing = this.pools.get(sqlRole);
    if (existing) {
      this.pools.delete(sqlRole);
      this.pools.set(sqlRole, existing);
      return existing;
    }
    const url = new URL(this.config.postgres.url);
    url.username = sqlRole;
    url.password = encodeURIComponent(sqlPasswordFor(key));
    const pool = createPool(this.config, this.logger.child({ sqlRole }), {
      name: 'logflow-sql-console-scoped',
      connectionString: url.toString(),
      max: this.maxConnections,
      stream: guardedStream(this.maxMessageBytes),
      idleTimeoutMs: 30_000,
      connectionTimeoutMs: 5_000,
    });
    this.pools.set(sqlRole, pool);
    if (this.pools.size > MAX_POOLS) {
      const [oldest, oldestPool] = this.pools.entries().next().value!;
      this.pools.delete(oldest);
      void oldestPool.end();
    }
    return pool;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.end()));
    this.pools.clear();
  }
}
