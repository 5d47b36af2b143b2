import type { Client } from '@elastic/elasticsearch';
import type { HttpServer } from '@logflow/core';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { elasticsearchCall } from '../es-errors.ts';
import { CSV_COLUMNS, exportChunks, openExport } from '../export-stream.ts';
import { FIELD_NAMES, resolveField } from '../fields.ts';
import { whileKeyActive } from '../key-recheck.ts';
import { filterQuery, logFilterFields, resolveTimeRange, resourceScope, timeRangeClause, timeRangeFields } from '../log-filters.ts';
import type { PerKeySlots } from '../per-key-slots.ts';
import { sortOrderSchema } from '../search-request.ts';

const exportParams = z.object({
  ...logFilterFields,
  ...timeRangeFields,
  format: z.enum(['ndjson', 'csv']).default('ndjson'),
  sort: sortOrderSchema,
  columns: z
    .string()
    .max(4096)
    .optional()
    .transform((list, ctx) => {
      if (list === undefined) return [...CSV_COLUMNS];
      const names = list.split(',').filter(Boolean);
      const unknown = names.find((n) => n !== 'metadata' && !resolveField(n));
      if (names.length === 0 || names.length > 100 || unknown !== undefined) {
        ctx.addIssue({ code: 'custom', message: `expected 1 to 100 comma-separated fields among ${FIELD_NAMES}, metadata${unknown === undefined ? '' : `; unknown: ${unknown}`}` });
        return z.NEVER;
      }
      return names;
    })
    .describe("CSV only: the columns, comma-separated, in order (e.g. the dashboard's chosen ones, `metadata.region` included); every field by default"),
});

const CONTENT_TYPES = { ndjson: 'application/x-ndjson; charset=utf-8', csv: 'text/csv; charset=utf-8' } as const;

export function registerExportRoute(app: HttpServer, deps: { elasticsearch: Client; readAlias: string; slots: PerKeySlots; maxPatternClauses?: number }): void {
  app.get(
    '/api/logs/export',
    {
      schema: {
        tags: ['search'],
        summary: 'Every log a query matches, streamed as NDJSON or CSV in search order; any size, constant memory',
        querystring: exportParams,
      },
    },
    async (request, reply) => {
      const { format, sort, columns } = request.query;
      const now = Date.now();
      const range = resolveTimeRange(request.query, now);
      const query = filterQuery(request.query, range, now, resourceScope(request), deps.maxPatternClauses);
      const release = deps.slots.acquire(request.apiKey?.id);
      let body: Readable;
      try {
        const pages = await elasticsearchCall(() => openExport(deps.elasticsearch, deps.readAlias, query, sort, timeRangeClause(range)));
        // One chunk (a page of logs) buffered ahead at most: a slow client holds Elasticsearch back, not memory.
        // A key revoked meanwhile cuts the export off.
        body = Readable.from(whileKeyActive(exportChunks(pages, format, columns), request.apiKeyStillActive), { highWaterMark: 1 });
      } catch (error) {
        release();
        throw error;
      }
      body.once('close', release);
      const stamp = new Date(now).toISOString().replaceAll(':', '-');
      return reply.type(CONTENT_TYPES[format]).header('content-disposition', `attachment; filename="logflow-export-${stamp}.${format}"`).send(body);
    },
  );
}
