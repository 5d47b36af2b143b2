import type { Client } from '@elastic/elasticsearch';

/** One document for a bulk request: its index, `_id` and source as JSON text. */
export interface BulkItem<T> {
  index: string;
  id: string;
  json: string;
  /** What the caller needs back for a refused or retried item (e.g. its Kafka message). */
  ref: T;
}

export interface BulkLimits {
  maxDocs: number;
  maxBytes: number;
}

export interface BulkOutcome<T> {
  indexed: BulkItem<T>[];
  /** Refused for a reason that will not go away by retrying: a mapping or parse error (400). */
  refused: { item: BulkItem<T>; reason: string }[];
  /** Not indexed for now (429, 5xx, a blocked or missing index): to be sent again. */
  retry: BulkItem<T>[];
}

/** Bytes an item adds to the NDJSON body: its action line and source line, with newlines. */
const ACTION_OVERHEAD = '{"index":{"_index":"","_id":""}}\n\n'.length;
export function itemBytes(item: BulkItem<unknown>): number {
  return ACTION_OVERHEAD + item.index.length + item.id.length + Buffer.byteLength(item.json);
}

/** Splits items into bulk requests of at most `maxDocs` items and about `maxBytes` (an oversized item goes alone). */
export function chunkItems<T>(items: BulkItem<T>[], { maxDocs, maxBytes }: BulkLimits): BulkItem<T>[][] {
  const chunks: BulkItem<T>[][] = [];
  let chunk: BulkItem<T>[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = itemBytes(item);
    if (chunk.length > 0 && (chunk.length >= maxDocs || bytes + size > maxBytes)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(item);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * A bulk item that failed for good: Elasticsearch could not parse or map the document (400).
 * Everything else (429 too many requests, 5xx, 403 blocked index, 404) may pass later.
 */
export function isRefusedForGood(status: number): boolean {
  return status === 400;
}

/**
 * Sends one chunk as one bulk request through the client's bulk helper and sorts every item
 * by its own result. The helper does not retry here (`retries: 0`): the sink retries with its
 * own backoff while heart-beating. A request that fails as a whole (Elasticsearch down)
 * rejects: nothing of it may be taken as indexed.
 */
export async function sendBulk<T>(client: Client, chunk: BulkItem<T>[]): Promise<BulkOutcome<T>> {
  const byId = new Map<string, BulkItem<T>[]>();
  for (const item of chunk) {
    const same = byId.get(item.id) ?? [];
    same.push(item);
    byId.set(item.id, same);
  }
  const failed = new Set<BulkItem<T>>();
  const outcome: BulkOutcome<T> = { indexed: [], refused: [], retry: [] };
  await client.helpers.bulk<BulkItem<T>>({
    datasource: chunk,
    // The source is the record's own JSON text: the helper sends a string payload as it is.
    onDocument: (item) => [{ index: { _index: item.index, _id: item.id } }, item.json],
    onDrop: ({ status, error, operation }) => {
      const id = (operation as { index?: { _id?: string } }).index?._id ?? '';
      const item = byId.get(id)?.find((candidate) => !failed.has(candidate));
      if (!item) return;
      failed.add(item);
      if (isRefusedForGood(status)) outcome.refused.push({ item, reason: `${error?.type ?? status}: ${error?.reason ?? 'refused'}` });
      else outcome.retry.push(item);
    },
    flushBytes: Number.MAX_SAFE_INTEGER,
    flushInterval: 60_000,
    concurrency: 1,
    retries: 0,
    refreshOnCompletion: false,
  });
  outcome.indexed = chunk.filter((item) => !failed.has(item));
  return outcome;
}
