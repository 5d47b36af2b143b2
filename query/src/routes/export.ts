import type { Client } from '@elastic/elasticsearch';
import type { HttpServer } from '@logflow/core';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { elasticsearchCall } from '../es-errors.ts';
import { exportChunks, openExport } from '../export-stream.ts';
import { whileKeyActive } from '../key-recheck.ts';
import { filterQuery, logFilterFields, resolveTimeRange, resourceScope, timeRangeClause, timeRangeFields } from '../log-filters.ts';
import type { PerKeySlots } from '../per-key-slots.ts';
import { sortOrderSchema } from '../search-request.ts';

const exportParams = z.object({
  ...logFilterFields,
  ...timeRangeFields,
  format: z.enum(['ndjson', 'csv']).default('ndjson'),
  sort: sortOrderSchema,
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
      const { format, sort } = request.query;
      const now = Date.now();
      const range = resolveTimeRange(request.query, now);
      const query = filterQuery(request.query, range, now, resourceScope(request), deps.maxPatternClauses);
      const release = deps.slots.acquire(request.apiKey?.id);
      let body: Readable;
      try {
        const pages = await elasticsearchCall(() => openExport(deps.elasticsearch, deps.readAlias, query, sort, timeRangeClause(range)));
        // One chunk (a page of logs) buffered ahead at most: a slow client holds Elasticsearch back, not memory.
        // A key revoked meanwhile cuts the export off.
        body = Readable.from(whileKeyActive(exportChunks(pages, format), request.apiKeyStillActive), { highWaterMark: 1 });
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
