import { AppError, type LogIdGenerator, type LogRecord, toLogRecord } from '@logflow/core';
import type { IngesterDeps } from './app.ts';
import { validateItems, type ValidatedItems } from './validate-items.ts';

export interface AcceptedLogs extends ValidatedItems {
  /** What Kafka acknowledged, in the order of `valid`. */
  records: LogRecord[];
}

/**
 * The acceptance path every ingest endpoint shares: the batch limit, each item validated on its
 * own, the valid ones sent to Kafka (acks=all) and counted in the metrics and the ledger. `refuse`
 * is the endpoint's own rule for refusing the whole request once the items are validated (it
 * throws); it runs before anything is produced.
 */
export type AcceptLogs = (items: unknown[], refuse?: (validated: ValidatedItems) => void) => Promise<AcceptedLogs>;

export function createAcceptLogs(deps: Pick<IngesterDeps, 'producer' | 'metrics' | 'maxBatchItems' | 'timestampWindow' | 'onAccepted'>, logIds: LogIdGenerator): AcceptLogs {
  const { producer, metrics } = deps;
  return async (items, refuse) => {
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
