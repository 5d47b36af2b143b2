import { logRecordSchema } from '@logflow/common';
import type { Client, estypes } from '@elastic/elasticsearch';
import { AppError, type HttpServer, type LogRecord } from '@logflow/core';
import { z } from 'zod';
import { elasticsearchCall } from '../es-errors.ts';
import { FIELD_NAMES, resolveField, type FieldInfo } from '../fields.ts';
import { resourceScope } from '../log-filters.ts';
import { aliasTarget, timeSort, type SortOrder } from '../search-request.ts';

const idParams = z.object({ id: z.guid('expected a log id (a UUID)') });
const neighbours = (side: string) => z.coerce.number().int().min(0).max(500).default(10).describe(`logs with the same key value ${side} it, in time order (0 to 500)`);
const contextKey = z
  .string()
  .max(300)
  .default('resourceId')
  .transform((name, ctx) => {
    const field = resolveField(name);
    if (field?.kind === 'keyword') return field;
    ctx.addIssue({ code: 'custom', message: `expected a field with exact values: ${FIELD_NAMES.replace(/, message, timestamp, receivedAt/, '')}` });
    return z.NEVER;
  })
  .describe('the field whose value the neighbours share: resourceId (default), traceId, metadata.<key>...');

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

/** The value of a field (`metadata.a.b` walks the metadata) when it is one a term query can match. */
export function valueOf(log: LogRecord, name: string): string | number | boolean | undefined {
  let value: unknown = log;
  for (const part of name.split('.')) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : undefined;
}

/** Up to `size` logs with the same key value on one side of `log`, by (timestamp, id); without a value, those without one. */
async function sameKey({ elasticsearch: es, readAlias }: LogByIdDeps, log: LogRecord, key: FieldInfo, order: SortOrder, size: number, scope: EsQuery | undefined): Promise<LogRecord[]> {
  if (size === 0) return [];
  const value = valueOf(log, key.name);
  const sameResource: EsQuery = value !== undefined ? { term: { [key.esField]: value } } : { bool: { must_not: [{ exists: { field: key.esField } }] } };
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
        summary: 'A log and its neighbours with the same resourceId (or another key), oldest first',
        params: idParams,
        querystring: z.object({ before: neighbours('before'), after: neighbours('after'), key: contextKey }),
        response: { 200: z.object({ log: logRecordSchema, before: z.array(logRecordSchema), after: z.array(logRecordSchema) }) },
      },
    },
    async (request) => {
      const scope = resourceScope(request);
      const log = await findLog(deps, request.params.id, scope);
      const { key } = request.query;
      const [before, after] = await Promise.all([sameKey(deps, log, key, 'desc', request.query.before, scope), sameKey(deps, log, key, 'asc', request.query.after, scope)]);
      return { log, before: before.reverse(), after };
    },
  );
}
