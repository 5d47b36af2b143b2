import type { Client, estypes } from '@elastic/elasticsearch';
import { READ_ALIAS } from '@logflow/core/es-index';
import type { LogRecord } from '@logflow/core/log-event';
import { stringify } from 'csv-stringify/sync';
import { isIndexMissing } from './es-errors.ts';
import { timeSort, type SortOrder } from './search-request.ts';

export const EXPORT_PAGE_SIZE = 2_000;
const KEEP_ALIVE = '2m';

/**
 * Every log a query matches, a page at a time, in the search's order, from one point in time:
 * logs indexed meanwhile neither appear nor shift the pages. Memory holds two pages. The point
 * in time is opened before the first page is asked for, so a caller can still answer 503 when
 * Elasticsearch is down; it is closed when the pages run out or the consumer stops early.
 */
export async function openExport(
  es: Client,
  query: estypes.QueryDslQueryContainer,
  order: SortOrder,
  indexFilter?: estypes.QueryDslQueryContainer,
): Promise<AsyncGenerator<LogRecord[]>> {
  let pitId: string;
  try {
    pitId = (await es.openPointInTime({ index: READ_ALIAS, keep_alive: KEEP_ALIVE, ignore_unavailable: true, index_filter: indexFilter })).id;
  } catch (error) {
    if (isIndexMissing(error)) return (async function* () {})();
    throw error;
  }
  const fetchPage = (after?: estypes.SortResults) => {
    const page = es.search<LogRecord>({
      pit: { id: pitId, keep_alive: KEEP_ALIVE },
      query,
      sort: timeSort(order),
      size: EXPORT_PAGE_SIZE,
      track_total_hits: false,
      // Only what the export writes: less JSON for Elasticsearch to send and for us to parse.
      filter_path: ['pit_id', 'hits.hits._source', 'hits.hits.sort'],
      ...(after && { search_after: after }),
    });
    // Fetched ahead, the page may fail before anyone awaits it: that must not count as unhandled.
    page.catch(() => undefined);
    return page;
  };
  return (async function* pages() {
    // One page is fetched ahead while the consumer writes the current one.
    let next: Promise<estypes.SearchResponse<LogRecord>> | undefined = fetchPage();
    try {
      while (next) {
        const page = await next;
        next = undefined;
        pitId = page.pit_id ?? pitId;
        const hits = page.hits?.hits ?? [];
        if (hits.length === EXPORT_PAGE_SIZE) next = fetchPage(hits.at(-1)!.sort);
        const records = hits.flatMap((hit) => (hit._source ? [hit._source] : []));
        if (records.length > 0) yield records;
      }
    } finally {
      await next?.catch(() => undefined);
      await es.closePointInTime({ id: pitId }).catch(() => undefined);
    }
  })();
}

export const CSV_COLUMNS = ['id', 'timestamp', 'receivedAt', 'level', 'resourceId', 'traceId', 'spanId', 'commit', 'message', 'metadata'] as const;

/** One line per log; metadata as a JSON cell. */
export function csvRows(records: LogRecord[]): string {
  const rows = records.map((r) => ({ ...r, metadata: r.metadata && Object.keys(r.metadata).length > 0 ? JSON.stringify(r.metadata) : '' }));
  return stringify(rows, { columns: [...CSV_COLUMNS] });
}

export function ndjsonLines(records: LogRecord[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join('');
}

/** The export as text chunks, one per page, ready to stream: CSV starts with its header even when empty. */
export async function* exportChunks(pages: AsyncIterable<LogRecord[]>, format: 'ndjson' | 'csv'): AsyncGenerator<string> {
  if (format === 'csv') yield stringify([], { header: true, columns: [...CSV_COLUMNS] });
  for await (const records of pages) yield format === 'csv' ? csvRows(records) : ndjsonLines(records);
}
