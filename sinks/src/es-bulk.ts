import type { Client } from '@elastic/elasticsearch';
import { dailyIndexName } from '@logflow/core/es-index';
import type { LogRecord } from '@logflow/core/log-event';

export interface BulkOutcome {
  /** Refused for a reason that will not go away by retrying (mapping or parse errors). */
  refused: { id: string; reason: string }[];
  /** Not indexed for now (429, 5xx): to be sent again. */
  retry: LogRecord[];
}

/** Status codes of a bulk item that a later attempt may turn into success. */
function isTransient(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * Indexes records with the bulk helper, `_id` = id so a redelivery overwrites instead of
 * doubling. A request-level failure (ES down) rejects: nothing of it may be assumed indexed.
 */
export async function bulkIndex(client: Client, records: LogRecord[]): Promise<BulkOutcome> {
  const outcome: BulkOutcome = { refused: [], retry: [] };
  if (records.length === 0) return outcome;
  await client.helpers.bulk<LogRecord>({
    datasource: records,
    onDocument: (record) => ({ index: { _index: dailyIndexName(record.receivedAt), _id: record.id } }),
    onDrop: ({ status, error, document }) => {
      if (isTransient(status)) outcome.retry.push(document);
      else outcome.refused.push({ id: document.id, reason: `${error?.type ?? status}: ${error?.reason ?? 'refused'}` });
    },
    // ~5 MB requests keep ES's per-request overhead low without large heap spikes on a 1 GiB node.
    flushBytes: 5_000_000,
    concurrency: 2,
    retries: 3,
    wait: 500,
    refreshOnCompletion: false,
  });
  return outcome;
}
