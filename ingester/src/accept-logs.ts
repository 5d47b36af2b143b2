import { AppError, type LogRecord, LogIdGenerator, toLogRecord } from '@logflow/core';
import type { IngestMetrics } from './ingest-metrics.ts';
import { validateItems, type TimestampWindow, type ValidatedItems } from './validate-items.ts';

export interface AcceptDeps {
  producer: { send(records: LogRecord[]): Promise<void> };
  metrics: IngestMetrics;
  maxBatchItems: number;
  timestampWindow: TimestampWindow;
  /** Told how many logs each acknowledgement covered: the completeness ledger's "accepted". */
  onAccepted(count: number): void;
}

export interface AcceptedLogs extends ValidatedItems {
  /** What Kafka acknowledged, in the order of `valid`: records[i] is valid[i]'s log. */
  records: LogRecord[];
}

/**
 * Takes one request's logs the way every ingest endpoint must: batch limit, validation item by
 * item, metrics, Kafka (acks=all) and the ledger, in that order. `refuse` may throw after
 * validation to refuse the whole request before anything is produced (a single log, atomic).
 * Items that are `RefusedItem`s (a protocol's unmappable documents) are reported as invalid.
 */
export type AcceptLogs = (items: unknown[], refuse?: (validated: ValidatedItems) => void) => Promise<AcceptedLogs>;

export function createAcceptLogs(deps: AcceptDeps): AcceptLogs {
  const { producer, metrics } = deps;
  const logIds = new LogIdGenerator();
  return async function acceptLogs(items, refuse) {
    if (items.length > deps.maxBatchItems) {
      throw new AppError(413, 'too_many_items', `the batch has ${items.length} logs; at most ${deps.maxBatchItems} per request`);
    }
    metrics.batchSize.observe(items.length);
    const validated = validateItems(items, deps.timestampWindow);
    for (const error of validated.errors) metrics.rejected.inc({ reason: error.rule });
    refuse?.(validated);
    if (validated.valid.length === 0) return { ...validated, records: [] };

    const receivedAt = new Date().toISOString();
    const records = validated.valid.map(({ event }) => toLogRecord(event, event.id ?? logIds.next(), receivedAt));
    try {
      await producer.send(records);
    } catch (error) {
      // The ids let a client retry with the same ones: the stores then keep each log once.
      if (error instanceof AppError) throw new AppError(error.status, error.code, error.message, { ids: records.map((r) => r.id) }, error.headers);
      throw error;
    }
    metrics.accepted.inc(records.length);
    deps.onAccepted(records.length);
    return { ...validated, records };
  };
}
