import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import * as tables from './db/schema.ts';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
export type Database = NodePgDatabase<typeof tables>;

const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));

export interface PoolOptions {
  /** application_name: whose connections these are, in pg_stat_activity. */
  name: string;
  max: number;
  /** Another login to the same database (the SQL console's); default DATABASE_URL. */
  connectionString?: string;
  idleInTransactionTimeoutMs?: number;
  statementTimeoutMs?: number;
  connectionTimeoutMs?: number;
  idleTimeoutMs?: number;
  /** The socket each connection uses (the SQL console guards what Postgres sends through it). */
  stream?: pg.PoolConfig['stream'];
}

/**
 * The one way to make a Postgres pool. Connections use DATABASE_SCHEMA as their search path,
 * so one database can hold several LogFlow installations (a test run beside a developer's)
 * with unqualified table names. A failed connection is logged instead of crashing the
 * process: node-postgres emits 'error' on an idle client (through the pool) and on a
 * checked-out one between queries (Postgres restarted or the network cut), and with no
 * listener either kills the process. The query in progress, if any, still rejects, so the
 * caller's transaction fails and is retried.
 */
export function createPool(config: Config, logger: Logger, options: PoolOptions): pg.Pool {
  const schema = config.postgres.schema;
  const pool = new pg.Pool({
    connectionString: options.connectionString ?? config.postgres.url,
    application_name: options.name,
    max: options.max,
    ...(options.idleInTransactionTimeoutMs ? { idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs } : {}),
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
    ...(options.connectionTimeoutMs ? { connectionTimeoutMillis: options.connectionTimeoutMs } : {}),
    ...(options.idleTimeoutMs ? { idleTimeoutMillis: options.idleTimeoutMs } : {}),
    ...(options.stream ? { stream: options.stream } : {}),
    ...(schema === 'public' ? {} : { options: `-c search_path=${schema}` }),
  });
  pool.on('error', (err) => logger.warn({ err }, 'idle Postgres connection failed'));
  pool.on('connect', (client) => client.on('error', (err) => logger.warn({ err }, 'Postgres connection failed')));
  return pool;
}

export function createDatabase(pool: pg.Pool): Database {
  return drizzle(pool, { schema: tables });
}

/** pg_advisory_lock's key for changes to what installations share: any constant no other LogFlow lock uses. */
const SHARED_CHANGE_LOCK = 0x10_6f_10;

/**
 * Runs `change` on one connection while holding a database-wide advisory lock. Installations
 * sharing a cluster (a test run beside a developer's, two hosts running `logflow migrate`) change
 * the one cluster-wide reader role, which Postgres refuses to update from two sessions at once
 * ("tuple concurrently updated"); so migrations and the reader's password take turns.
 */
export async function withSharedChangeLock<T>(pool: pg.Pool, change: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [SHARED_CHANGE_LOCK]);
    return await change(client);
  } finally {
    // A connection that cannot unlock is discarded, which ends its session and so its lock.
    await client.query('SELECT pg_advisory_unlock($1)', [SHARED_CHANGE_LOCK]).catch((error: unknown) => {
      broken = error instanceof Error ? error : new Error(String(error));
    });
    client.release(broken);
  }
}

/**
 * Applies the drizzle-kit migrations in `migrations/`; already applied ones are skipped. An
 * installation in its own schema keeps its migration journal there too. One at a time per
 * database (withSharedChangeLock): besides racing on one schema, the migrations of any schema
 * grant to and alter the reader role.
 */
export async function runMigrations(pool: pg.Pool, schema = 'public'): Promise<void> {
  await withSharedChangeLock(pool, async (client) => {
    if (schema !== 'public') await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await migrate(drizzle(client, { schema: tables }), { migrationsFolder: MIGRATIONS_FOLDER, ...(schema === 'public' ? {} : { migrationsSchema: schema }) });
  });
}
