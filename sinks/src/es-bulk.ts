import type { Client } from '@elastic/elasticsearch';

/** One document for a bulk request: its action line and its source as the JSON bytes to send. */
export interface BulkItem<T> {
  id: string;
  /** `{"create":{...}}`, made once: every request and every size estimate reuses it. */
  action: string;
  source: Buffer;
  /** Bytes the item adds to a request body, both lines and their newlines. */
  bytes: number;
  /** What the caller needs back for a refused or retried item (e.g. its Kafka message). */
  ref: T;
}

/**
 * `create`, not `index`: the first write of an id wins, as in Postgres (docs/architecture.md, Identity). A
 * retry, or another log re-sent with a stored id, finds the document there (409) and changes nothing.
 */
export function bulkItem<T>(index: string, id: string, source: Buffer, ref: T): BulkItem<T> {
  const action = `{"create":{"_index":${JSON.stringify(index)},"_id":${JSON.stringify(id)}}}`;
  return { id, action, source, bytes: Buffer.byteLength(action) + source.length + 2, ref };
}

export interface BulkLimits {
  maxDocs: number;
  maxBytes: number;
}

export interface BulkOutcome<T> {
  /** Stored: new (201), or their id was there already (409, counted in `duplicates`); either way done. */
  indexed: BulkItem<T>[];
  /** How many of `indexed` were new documents (201). */
  created: number;
  /** How many of `indexed` found a document with their id (409): it stays as it was. */
  duplicates: number;
  /** Refused for a reason that will not go away by retrying: a mapping or parse error (400). */
  refused: { item: BulkItem<T>; reason: string }[];
  /** Not indexed for now (429, 5xx, a blocked or missing index): to be sent again. */
  retry: BulkItem<T>[];
}

/** Splits items into bulk requests of at most `maxDocs` items and about `maxBytes` (an oversized item goes alone). */
export function chunkItems<T>(items: BulkItem<T>[], { maxDocs, maxBytes }: BulkLimits): BulkItem<T>[][] {
  const chunks: BulkItem<T>[][] = [];
  let chunk: BulkItem<T>[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = item.bytes;
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

/** The NDJSON body of a bulk request, written straight into one buffer: an action line and a source line per item. */
export function bulkBody(chunk: BulkItem<unknown>[]): Buffer {
  const body = Buffer.allocUnsafe(chunk.reduce((sum, item) => sum + item.bytes, 0));
  let at = 0;
  for (const item of chunk) {
    at += body.write(item.action, at);
    at = body.writeUInt8(0x0a, at);
    at += item.source.copy(body, at);
    at = body.writeUInt8(0x0a, at);
  }
  return body;
}

/**
 * A bulk item that failed for good: Elasticsearch could not parse or map the document (400).
 * Everything else (429 too many requests, 5xx, 403 blocked index, 404) may pass later.
 */
export function isRefusedForGood(status: number): boolean {
  return status === 400;
}

interface BulkItemResult {
  status: number;
  error?: { type?: string; reason?: string; caused_by?: { reason?: string } };
}

/** Sorts every item by its own result; the response lists them in request order. */
export function sortOutcome<T>(chunk: BulkItem<T>[], results: BulkItemResult[] | undefined): BulkOutcome<T> {
  const outcome: BulkOutcome<T> = { indexed: [], created: 0, duplicates: 0, refused: [], retry: [] };
  chunk.forEach((item, i) => {
    const result = results?.[i];
    if (!result) outcome.retry.push(item);
    else if (result.status < 300) {
      outcome.indexed.push(item);
      if (result.status === 201) outcome.created++;
    } else if (result.status === 409) {
      outcome.indexed.push(item);
      outcome.duplicates++;
    } else if (isRefusedForGood(result.status)) {
      const cause = result.error?.caused_by?.reason ? ` (${result.error.caused_by.reason})` : '';
      outcome.refused.push({ item, reason: `${result.error?.type ?? result.status}: ${result.error?.reason ?? 'refused'}${cause}` });
    } else outcome.retry.push(item);
  });
  return outcome;
}

/**
 * Sends one chunk as one bulk request and sorts every item by its own result. The body is
 * built from the records' own bytes: the client's bulk helper would parse nothing here but
 * serialise and copy every document again, CPU and memory the sink is measured by. Retries
 * are the caller's, with backoff and heartbeats. A request that fails as a whole
 * (Elasticsearch down) rejects: nothing of it may be taken as indexed.
 */
export async function sendBulk<T>(client: Client, chunk: BulkItem<T>[]): Promise<BulkOutcome<T>> {
  const response = await client.bulk({
    // The transport sends a Buffer body as it is.
    operations: bulkBody(chunk) as unknown as [],
    // Only what the outcome needs: a full bulk response is several times the size of this one.
    filter_path: 'errors,items.*.status,items.*.error',
  });
  return sortOutcome(
    chunk,
    response.items.map((entry) => Object.values(entry)[0] as BulkItemResult),
  );
}
