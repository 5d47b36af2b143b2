import type { SqlSchema } from '@logflow/common';
import { AppError, type HttpServer, keyFromAuthorization } from '@logflow/core';
import { z } from 'zod';
import type { PerKeySlots } from '../per-key-slots.ts';
import { assertScopedStatementAllowed } from '../sql/scoped-guard.ts';
import type { ScopedSqlLogins } from '../sql/scoped-logins.ts';
import type { SqlConsole } from '../sql/sql-console.ts';

/**
 * The columns the console's login may read, from Postgres itself: information_schema lists
 * only the columns its user has a privilege on, so this is exactly what a statement can name.
 */
const SCHEMA_SQL = `SELECT table_name, column_name, data_type FROM information_schema.columns
  WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`;

/** The rows of SCHEMA_SQL as tables of columns, in their order. */
export function schemaOf(rows: readonly unknown[][]): SqlSchema {
  const tables = new Map<string, { name: string; type: string }[]>();
  for (const [table, column, type] of rows) {
    const columns = tables.get(String(table)) ?? [];
    columns.push({ name: String(column), type: String(type) });
    tables.set(String(table), columns);
  }
  return { tables: [...tables].map(([name, columns]) => ({ name, columns })) };
}

export function registerSqlRoute(app: HttpServer, deps: { sqlConsole: SqlConsole; scopedLogins?: ScopedSqlLogins; slots: PerKeySlots }): void {
  const { limits } = deps.sqlConsole;
  app.post(
    '/api/sql',
    {
      schema: {
        tags: ['sql'],
        summary: 'One read-only SQL statement against Postgres, as logflow_reader',
        description: `READ ONLY transaction, statement timeout up to ${limits.timeoutMs} ms, at most ${limits.maxRows} rows and about ${limits.maxResponseBytes} bytes of values; a value longer than ${limits.maxValueBytes} bytes as text comes cut to that many characters. At most ${deps.slots.max} statements of one key at once (429 beyond). A Postgres error answers 400 with its message, code and position.`,
        body: z.object({
          sql: z.string().min(1).max(100_000).describe('one statement, e.g. SELECT level, count(*) FROM logs GROUP BY level'),
          maxRows: z.number().int().min(1).max(limits.maxRows).optional().describe(`rows returned at most (default ${limits.maxRows})`),
          timeoutMs: z.number().int().min(1).max(limits.timeoutMs).optional().describe(`statement timeout (default ${limits.timeoutMs})`),
        }),
        response: {
          200: z.object({
            columns: z.array(z.object({ name: z.string(), dataTypeId: z.number().int() })),
            rows: z.array(z.array(z.unknown())),
            rowCount: z.number().int(),
            truncated: z.boolean().describe('more rows existed than the answer holds'),
            truncatedBy: z.enum(['rows', 'bytes']).optional().describe('the cap that cut the rows: maxRows, or the bytes of one answer'),
            valuesTruncated: z.number().int().describe('values cut to the per-value cap (each then a string)'),
            durationMs: z.number().int(),
          }),
        },
      },
    },
    async (request) => {
      const { sql, maxRows = limits.maxRows, timeoutMs = limits.timeoutMs } = request.body;
      const sqlRole = request.apiKey?.sqlRole;
      if (sqlRole) assertScopedStatementAllowed(sql);
      const release = deps.slots.acquire(request.apiKey?.id);
      try {
        if (!sqlRole) return await deps.sqlConsole.run(sql, { ...limits, maxRows, timeoutMs });
        // A key limited to resources runs as its own login, which row-level security restricts.
        if (!deps.scopedLogins) throw new AppError(503, 'sql_unavailable', 'the SQL console for keys limited to resources is not set up');
        const key = keyFromAuthorization(request.headers.authorization)!;
        return await deps.sqlConsole.run(sql, { ...limits, maxRows, timeoutMs }, deps.scopedLogins.pool(sqlRole, key));
      } finally {
        release();
      }
    },
  );
  app.get(
    '/api/sql/schema',
    {
      schema: {
        tags: ['sql'],
        summary: 'The tables and columns the SQL console may read (names as SQL writes them: resource_id where search says resourceId)',
        response: {
          200: z.object({ tables: z.array(z.object({ name: z.string(), columns: z.array(z.object({ name: z.string(), type: z.string() })) })) }),
        },
      },
    },
    async (request) => {
      const release = deps.slots.acquire(request.apiKey?.id);
      try {
        // Column names are no secret of any row: the reader login answers for every key.
        const result = await deps.sqlConsole.run(SCHEMA_SQL, { ...limits, maxRows: limits.maxRows });
        return schemaOf(result.rows);
      } finally {
        release();
      }
    },
  );
}
