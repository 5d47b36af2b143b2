import { logRecordSchema } from '@logflow/common';
import type { Client, estypes } from '@elastic/elasticsearch';
import { AppError, type HttpServer, type LogRecord } from '@logflow/core';
import { z } from 'zod';
import { elasticsearchCall } from '../es-errors.ts';
import { resourceScope } from '../log-filters.ts';
import { aliasTarget, timeSort, type SortOrder } from '../search-request.ts';

const idParams = z.object({ id: z.guid('expected a log id (a UUID)') });
const neighbours = (side: string) => z.coerce.number().int().min(0).max(500).default(10).describe(`logs of the same resourceId ${side} it, in time order (0 to 500)`);

type EsQuery = estypes.QueryDslQueryContainer;

/** The query and the caller's resource scope: a log outside it is "not found", like one that does not exist. */
const scoped = (query: EsQuery, scope: EsQuery | undefined): EsQuery => (scope ? { bool: { filter: [query, scope] } } : query);

interface LogByIdDeps {
  elasticsearch: Client;
  readAlias: string;
}

async function findLog({ elasticsearch: es, readAlias }: LogByIdDeps, id: string, scope: EsQuery | undefined): Promise<LogRecord> {
  // Daily indices: the id alone does not say which one holds the log, so search the alias.
  const response = await elasticsearchCall(() => es.search<LogRecord>({ ...aliasTarget(readAlias), size: 1, query: scoped({ ids: { values: [id] } }, scope) }));
  const log = response.hits.hits[0]?._source;
  if (!log) throw new AppError(404, 'log_not_found', `no log with id ${id} (it may not be searchable yet)`);
  return log;
}

/** Up to `size` logs of the same resource on one side of `log`, by (timestamp, id). */
async function sameResource({ elasticsearch: es, readAlias }: LogByIdDeps, log: LogRecord, order: SortOrder, size: number, scope: EsQuery | undefined): Promise<LogRecord[]> {
  if (size === 0) return [];
  const sameResource: EsQuery = log.resourceId ? { term: { resourceId: log.resourceId } } : { bool: { must_not: [{ exists: { field: 'resourceId' } }] } };
  const response = await elasticsearchCall(() =>
    es.search<LogRecord>({
      ...aliasTarget(readAlias),
      size,
      query: scoped(sameResource, scope),
      sort: timeSort(order),
      search_after: [Date.parse(log.timestamp), log.id],
      track_total_hits: false,
    }),
  );
  return response.hits.hits.flatMap((hit) => (hit._source ? [hit._source] : []));
}

export function registerLogByIdRoutes(app: HttpServer, deps: LogByIdDeps): void {
  app.get('/api/logs/:id', { schema: { tags: ['logs'], summary: 'One log by its id', params: idParams, response: { 200: logRecordSchema } } }, async (request) =>
    findLog(deps, request.params.id, resourceScope(request)),
  );

  app.get(
    '/api/logs/:id/context',
    {
      schema: {
        tags: ['logs'],
        summary: 'A log and its neighbours from the same resourceId, oldest first',
        params: idParams,
        querystring: z.object({ before: neighbours('before'), after: neighbours('after') }),
        response: { 200: z.object({ log: logRecordSchema, before: z.array(logRecordSchema), after: z.array(logRecordSchema) }) },
      },
    },
    async (request) => {
      const scope = resourceScope(request);
      const log = await findLog(deps, request.params.id, scope);
      const [before, after] = await Promise.all([sameResource(deps, log, 'desc', request.query.before, scope), sameResource(deps, log, 'asc', request.query.after, scope)]);
      return { log, before: before.reverse(), after };
    },
  );
}
