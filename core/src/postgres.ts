import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Config } from './config.ts';
import * as schema from './db/schema.ts';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
export type Database = NodePgDatabase<typeof schema>;

const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));

export function createPool(config: Config, applicationName: string, max = 10): pg.Pool {
  return new pg.Pool({ connectionString: config.postgres.url, application_name: applicationName, max });
}

export function createDatabase(pool: pg.Pool): Database {
  return drizzle(pool, { schema });
}

/** Applies the drizzle-kit migrations in `migrations/`; already applied ones are skipped. */
export async function runMigrations(pool: pg.Pool): Promise<void> {
  await migrate(createDatabase(pool), { migrationsFolder: MIGRATIONS_FOLDER });
}
