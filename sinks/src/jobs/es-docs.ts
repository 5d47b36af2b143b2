import type { Client, estypes } from '@elastic/elasticsearch';
import type { EsCopy } from './leaf-diff.ts';
import type { LogFilter } from './log-filter.ts';
import type { DocRow } from './pg-logs.ts';
import type { TimeRange } from './time-ranges.ts';
import { setTimeout as sleep } from 'node:timers/promises';

/** An index, alias or pattern that may not exist (yet, or any more): that reads as empty. */
const LENIENT = { ignore_unavailable: true, allow_no_indices: true } as const;
const RANGES_PER_REQUEST = 1_000;
const PAGE = 10_000;

function filterClauses(filter: LogFilter): estypes.QueryDslQueryContainer[] {
  const clauses: estypes.QueryDslQueryContainer[] = [];
  if (filter.resourceIds) clauses.push({ terms: { resourceId: [...filter.resourceIds] } });
  if (filter.levels) clauses.push({ terms: { level: [...filter.levels] } });
  if (filter.keptFrom !== undefined) clauses.push({ range: { timestamp: { gte: filter.keptFrom, format: 'epoch_millis' } } });
  return clauses;
}

const receivedIn = (range: TimeRange): estypes.QueryDslQueryContainer => ({
  range: { receivedAt: { gte: range.from, lt: range.to, format: 'epoch_millis' } },
});

/** One count per range from a range aggregation over receivedAt (doc values: no document is read). */
export async function esCountByRanges(es: Client, target: string, ranges: readonly TimeRange[], filter: LogFilter): Promise<number[]> {
  const counts: number[] = [];
  for (let start = 0; start < ranges.length; start += RANGES_PER_REQUEST) {
    const batch = ranges.slice(start, start + RANGES_PER_REQUEST);
    const response = await es.search({
      index: target,
      ...LENIENT,
      size: 0,
      track_total_hits: false,
      query: {
        bool: {
          filter: [...filterClauses(filter), receivedIn({ from: batch[0]!.from, to: Math.max(...batch.map((r) => r.to)) })],
        },
      },
      aggs: {
        ranges: { range: { field: 'receivedAt', keyed: true, ranges: batch.map((r, i) => ({ key: String(i), from: r.from, to: r.to })) } },
      },
    });
    const buckets = (response.aggregations?.ranges as estypes.AggregationsRangeAggregate | undefined)?.buckets as Record<string, { doc_count: number }> | undefined;
    counts.push(...batch.map((_, i) => buckets?.[String(i)]?.doc_count ?? 0));
  }
  return counts;
}

/**
 * Every copy in a range, ordered by id and index so twins sit side by side; paged with
 * search_after. Ids and receipts come from doc values: no stored field or source is read.
 */
export async function copiesInRange(es: Client, target: string, range: TimeRange, filter: LogFilter): Promise<EsCopy[]> {
  const copies: EsCopy[] = [];
  let after: estypes.SortResults | undefined;
  for (;;) {
    const response = await es.search({
      index: target,
      ...LENIENT,
      size: PAGE,
      track_total_hits: false,
      stored_fields: ['_none_'],
      docvalue_fields: ['id', { field: 'receivedAt', format: 'epoch_millis' }],
      query: { bool: { filter: [...filterClauses(filter), receivedIn(range)] } },
      sort: [{ id: 'asc' }, { _index: 'asc' }],
      ...(after ? { search_after: after } : {}),
    });
    const hits = response.hits.hits;
    for (const hit of hits) {
      const fields = hit.fields as { id: [string]; receivedAt: [string] };
      copies.push({ id: fields.id[0], index: hit._index, receivedAt: Number(fields.receivedAt[0]) });
    }
    if (hits.length < PAGE) return copies;
    after = hits.at(-1)!.sort;
  }
}

export interface Placed {
  index: string;
  doc: DocRow;
}

export interface WriteOutcome {
  indexed: number;
  refused: { id: string; reason: string }[];
}

const MAX_DOCS = 5_000;
const MAX_BYTES = 5 * 1024 * 1024;
const CONCURRENCY = 2;
const ATTEMPTS = 6;

function chunk(items: readonly Placed[]): Placed[][] {
  const chunks: Placed[][] = [];
  let current: Placed[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length > 0 && (current.length >= MAX_DOCS || bytes + item.doc.json.length > MAX_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.doc.json.length + 80;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Sends one bulk request and sends again, with backoff, the items Elasticsearch could not take
 * for now (429, 5xx); an item it refuses for good (400: mapping, parse) is reported, not retried.
 */
async function writeChunk(es: Client, items: Placed[]): Promise<WriteOutcome> {
  const outcome: WriteOutcome = { indexed: 0, refused: [] };
  let pending = items;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const response = await es.bulk({
      operations: pending.flatMap(({ index, doc }) => [JSON.stringify({ index: { _index: index, _id: doc.id } }), doc.json]),
    });
    const again: Placed[] = [];
    response.items.forEach((item, i) => {
      const result = item.index!;
      if (!result.error) outcome.indexed += 1;
      else if (result.status === 429 || result.status >= 500) again.push(pending[i]!);
      else outcome.refused.push({ id: pending[i]!.doc.id, reason: `${result.error.type}: ${result.error.reason ?? ''}` });
    });
    if (again.length > 0 && attempt >= ATTEMPTS) throw new Error(`Elasticsearch kept refusing ${again.length} documents for now (429/5xx)`);
    if (again.length > 0) await sleep(250 * 2 ** attempt);
    pending = again;
  }
  return outcome;
}

/**
 * Indexes documents into the given indices, `_id` = id: a copy that exists is overwritten, so
 * replaying twice changes nothing. Requests of at most 5,000 documents or 5 MiB, two in flight,
 * as the ES sink does.
 */
export async function writeDocs(es: Client, items: readonly Placed[]): Promise<WriteOutcome> {
  const total: WriteOutcome = { indexed: 0, refused: [] };
  const queue = chunk(items);
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const outcome = await writeChunk(es, next);
      total.indexed += outcome.indexed;
      total.refused.push(...outcome.refused);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return total;
}

/** Deletes these copies by index and id (this Elasticsearch has no delete-by-query); a copy already gone counts as deleted. */
export async function deleteCopies(es: Client, copies: readonly { index: string; id: string }[]): Promise<number> {
  let deleted = 0;
  for (let start = 0; start < copies.length; start += MAX_DOCS) {
    const batch = copies.slice(start, start + MAX_DOCS);
    const response = await es.bulk({ operations: batch.map(({ index, id }) => ({ delete: { _index: index, _id: id } })) });
    for (const item of response.items) {
      const status = item.delete?.status ?? 500;
      if (status < 300 || status === 404) deleted += 1;
      else throw new Error(`could not delete ${item.delete?._index}/${item.delete?._id}: ${JSON.stringify(item.delete?.error)}`);
    }
  }
  return deleted;
}
