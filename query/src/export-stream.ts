import type { Client, estypes } from '@elastic/elasticsearch';
import type { LogRecord } from '@logflow/core';
import { stringify } from 'csv-stringify/sync';
import { isIndexMissing } from './es-errors.ts';
import { timeSort, type SortOrder } from './search-request.ts';

export const EXPORT_PAGE_SIZE = 2_000;
/** Logs one time slice holds at most (unless they share one millisecond). */
export const EXPORT_SLICE_SIZE = 20_000;
const KEEP_ALIVE = '2m';

type EsQuery = estypes.QueryDslQueryContainer;
const noop = () => undefined;

/** Pulls the next item of `source` while the consumer handles the current one. */
async function* readAhead<T>(source: AsyncGenerator<T>): AsyncGenerator<T> {
  let next = source.next();
  // Fetched ahead, an item may fail before anyone awaits it: that must not count as unhandled.
  next.catch(noop);
  try {
    for (;;) {
      const item = await next;
      if (item.done) return;
      next = source.next();
      next.catch(noop);
      yield item.value;
    }
  } finally {
    await next.catch(noop);
    await source.return(undefined);
  }
}

function inRange(query: EsQuery, from: number, to: number): EsQuery {
  return { bool: { filter: [query, { range: { timestamp: { gte: from, lt: to, format: 'epoch_millis' } } }] } };
}

/**
 * Every log a query matches, a page at a time, in the search's order, from one point in time:
 * logs indexed meanwhile neither appear nor shift the pages. The point in time is opened before
 * anything is read, so a caller can still answer 503 when Elasticsearch is down; it is closed
 * when the pages run out or the consumer stops early. Memory holds two pages.
 *
 * search_after alone makes each page cost as much as the logs before it (Elasticsearch walks
 * them to find where the page starts), so a long export would slow down quadratically. The
 * matching logs are therefore cut into time slices of at most EXPORT_SLICE_SIZE (halving the
 * range until its count fits) and each slice is paged on its own, restricted to its range.
 */
export async function openExport(es: Client, readAlias: string, query: EsQuery, order: SortOrder, indexFilter?: EsQuery): Promise<AsyncGenerator<LogRecord[]>> {
  let pitId: string;
  try {
    pitId = (await es.openPointInTime({ index: readAlias, keep_alive: KEEP_ALIVE, ignore_unavailable: true, index_filter: indexFilter })).id;
  } catch (error) {
    if (isIndexMissing(error)) return (async function* () {})();
    throw error;
  }
  const search = async (request: Omit<estypes.SearchRequest, 'index' | 'pit'>) => {
    const response = await es.search<LogRecord>({ pit: { id: pitId, keep_alive: KEEP_ALIVE }, track_total_hits: false, ...request });
    pitId = response.pit_id ?? pitId;
    return response;
  };
  const count = async (from: number, to: number) => {
    const total = (await search({ size: 0, track_total_hits: true, query: inRange(query, from, to) })).hits.total;
    return typeof total === 'number' ? total : (total?.value ?? 0);
  };

  async function* slices(from: number, to: number): AsyncGenerator<[number, number]> {
    const n = await count(from, to);
    if (n === 0) return;
    if (n <= EXPORT_SLICE_SIZE || to - from <= 1) {
      yield [from, to];
      return;
    }
    const mid = from + Math.floor((to - from) / 2);
    const halves: [number, number][] =
      order === 'desc'
        ? [
            [mid, to],
            [from, mid],
          ]
        : [
            [from, mid],
            [mid, to],
          ];
    for (const [a, b] of halves) yield* slices(a, b);
  }

  async function* pages(): AsyncGenerator<LogRecord[]> {
    try {
      const extremes = await search({ size: 0, query, aggs: { first: { min: { field: 'timestamp' } }, last: { max: { field: 'timestamp' } } } });
      const aggs = extremes.aggregations as { first?: { value: number | null }; last?: { value: number | null } } | undefined;
      if (aggs?.first?.value == null || aggs.last?.value == null) return;
      for await (const [from, to] of slices(aggs.first.value, aggs.last.value + 1)) {
        let after: estypes.SortResults | undefined;
        for (;;) {
          const page = await search({
            query: inRange(query, from, to),
            sort: timeSort(order),
            size: EXPORT_PAGE_SIZE,
            // Only what the export writes: less JSON for Elasticsearch to send and for us to parse.
            filter_path: ['pit_id', 'hits.hits._source', 'hits.hits.sort'],
            ...(after && { search_after: after }),
          });
          const hits = page.hits?.hits ?? [];
          const records = hits.flatMap((hit) => (hit._source ? [hit._source] : []));
          if (records.length > 0) yield records;
          if (hits.length < EXPORT_PAGE_SIZE) break;
          after = hits.at(-1)!.sort;
        }
      }
    } finally {
      await es.closePointInTime({ id: pitId }).catch(noop);
    }
  }

  return readAhead(pages());
}

export const CSV_COLUMNS = ['id', 'timestamp', 'receivedAt', 'level', 'resourceId', 'traceId', 'spanId', 'commit', 'message', 'metadata'] as const;

/** A cell of a CSV column: `metadata` as JSON, `metadata.a.b` one value of it (an object or array as JSON). */
function cell(record: LogRecord, column: string): unknown {
  if (column === 'metadata') return record.metadata && Object.keys(record.metadata).length > 0 ? JSON.stringify(record.metadata) : '';
  let value: unknown = record;
  for (const part of column.split('.')) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return value !== null && typeof value === 'object' ? JSON.stringify(value) : value;
}

/** One line per log, the given columns (every field, metadata as JSON, by default). */
export function csvRows(records: LogRecord[], columns: readonly string[] = CSV_COLUMNS): string {
  // Rows as arrays: csv-stringify would read a column named `a.b` as a nested path.
  return stringify(records.map((r) => columns.map((c) => cell(r, c))));
}

export function ndjsonLines(records: LogRecord[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join('');
}

/** The export as text chunks, one per page, ready to stream: CSV starts with its header even when empty. */
export async function* exportChunks(pages: AsyncIterable<LogRecord[]>, format: 'ndjson' | 'csv', columns: readonly string[] = CSV_COLUMNS): AsyncGenerator<string> {
  if (format === 'csv') yield stringify([[...columns]]);
  for await (const records of pages) yield format === 'csv' ? csvRows(records, columns) : ndjsonLines(records);
}
