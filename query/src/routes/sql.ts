import { AppError, type HttpServer, keyFromAuthorization } from '@logflow/core';
import { z } from 'zod';
import type { PerKeySlots } from '../per-key-slots.ts';
import { assertScopedStatementAllowed } from '../sql/scoped-guard.ts';
import type { ScopedSqlLogins } from '../sql/scoped-logins.ts';
import type { SqlConsole } from '../sql/sql-console.ts';

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
}
