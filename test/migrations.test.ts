import { createLogger, createPool, loadConfig, runMigrations, setReaderPassword } from '@logflow/core';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_READER_PASSWORD } from './reader-password.ts';

/**
 * Installations sharing a Postgres cluster (a test run beside a developer's, two hosts running
 * `logflow migrate`) migrate at the same time; their migrations all touch the one reader role.
 */
describe('migrations', () => {
  const schemas = Array.from({ length: 5 }, (_, i) => `test_migrate_${randomBytes(3).toString('hex')}_${i}`);
  const pools = schemas.map((schema) => createPool(loadConfig({ ...process.env, DATABASE_SCHEMA: schema }), createLogger({ logLevel: 'warn' }, 'test'), { name: 'logflow-test-migrations', max: 1 }));

  afterAll(async () => {
    for (const schema of schemas) await pools[0]!.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await Promise.all(pools.map((pool) => pool.end()));
  });

  it('of several installations run at once all succeed, each schema getting its tables', async () => {
    const results = await Promise.allSettled(schemas.map((schema, i) => runMigrations(pools[i]!, schema)));
    expect(results.map((result) => (result.status === 'fulfilled' ? 'applied' : String(result.reason)))).toEqual(schemas.map(() => 'applied'));
    const tables = await pools[0]!.query<{ schema: string }>(`SELECT table_schema AS schema FROM information_schema.tables WHERE table_name = 'logs' AND table_schema = ANY($1) ORDER BY 1`, [schemas]);
    expect(tables.rows.map((row) => row.schema)).toEqual([...schemas].sort());
  });

  it('can run again beside `logflow migrate` setting the reader password: a second pass applies nothing and fails nothing', async () => {
    // The run's reader password is set again as it is: the other tests keep logging in with it.
    await Promise.all([...schemas.map((schema, i) => runMigrations(pools[i]!, schema)), ...pools.slice(0, 3).map((pool) => setReaderPassword(pool, TEST_READER_PASSWORD))]);
  });
});
