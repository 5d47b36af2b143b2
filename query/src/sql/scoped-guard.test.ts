import { describe, expect, it } from 'vitest';
import { assertScopedStatementAllowed } from './scoped-guard.ts';

const refused = (sql: string) => {
  try {
    assertScopedStatementAllowed(sql);
    return undefined;
  } catch (error) {
    return error as { status: number; code: string; message: string };
  }
};

describe('assertScopedStatementAllowed', () => {
  it('lets queries through, with the harmless pg_ functions', () => {
    for (const sql of [
      'SELECT level, count(*) FROM logs GROUP BY level',
      '  -- top\n(select 1)',
      'with a as (select 1) select * from a',
      "values (1, 'x')",
      'TABLE logs',
      'select pg_typeof(metadata), pg_size_pretty(pg_column_size(message)::bigint) from logs',
      // Left to Postgres, whose read-only transaction refuses it with its own error.
      'INSERT INTO logs (id) VALUES (gen_random_uuid())',
    ]) {
      expect(refused(sql), sql).toBeUndefined();
    }
  });

  it('refuses EXPLAIN and every statement that is not a query, with 403 naming the rule', () => {
    for (const sql of ['EXPLAIN ANALYZE SELECT * FROM logs', ' /* c */ explain select 1', "DO $$ BEGIN RAISE EXCEPTION '%', 1; END $$", 'SHOW work_mem', 'CALL x()']) {
      expect(refused(sql), sql).toMatchObject({ status: 403, code: 'sql_not_allowed', message: expect.stringContaining('queries only') });
    }
  });

  it('refuses statistics, estimates, sizes, system columns and queries hidden in text', () => {
    for (const [sql, word] of [
      ["select reltuples from pg_class where relname = 'logs'", 'pg_class'],
      ['select n_live_tup from pg_stat_user_tables', 'pg_stat_user_tables'],
      ["select most_common_vals from pg_catalog.pg_stats where tablename = 'logs'", 'pg_catalog'],
      ["select pg_stat_get_live_tuples('logs'::regclass)", 'pg_stat_get_live_tuples'],
      ["select pg_relation_size('logs')", 'pg_relation_size'],
      ['select ctid, message from logs', 'ctid'],
      ['select xmin from logs', 'xmin'],
      ["select query_to_xml('select count(*) from pg_class', true, false, '')", 'pg_class'],
      ["select query_to_xml('select 1', true, false, '')", 'query_to_xml'],
      ["select ts_stat('select 1')", 'ts_stat'],
      ['select * from information_schema.tables', 'information_schema'],
      ['select * from U&"pg\\005fclass"', 'U&"'],
    ] as const) {
      expect(refused(sql)?.message, sql).toContain(`'${word}'`);
    }
  });
});
