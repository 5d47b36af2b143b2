import { createMetricsRegistry } from '@logflow/core';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type DeadLetterKind = 'undecodable' | 'refused';

/** What a sink reports on `/metrics`; every series also carries the process's `role` label. */
export interface SinkMetrics {
  registry: Registry;
  batchRecords: Histogram;
  writeSeconds: Histogram;
  recordsWritten: Counter;
  bytesWritten: Counter;
  /** Records whose id the store already held (a retry, a redelivery, a re-sent id): the stored log stays as it was. */
  duplicates: Counter;
  writeFailures: Counter;
  deadLetters: Counter<'kind'>;
  rebalances: Counter;
  lag: Gauge<'topic' | 'partition'>;
}

export function createSinkMetrics(role: string, collectLag: (gauge: Gauge<'topic' | 'partition'>) => Promise<void>): SinkMetrics {
  const registry = createMetricsRegistry(role);
  const registers = [registry];
  const deadLetters = new Counter({
    name: 'logflow_sink_dead_letters_total',
    help: 'Records sent to the DLQ topic: undecodable, or refused by the store for good',
    labelNames: ['kind'],
    registers,
  });
  // Both series exist from the start, so a dashboard shows 0 rather than no data.
  for (const kind of ['undecodable', 'refused'] satisfies DeadLetterKind[]) deadLetters.inc({ kind }, 0);
  return {
    registry,
    batchRecords: new Histogram({
      name: 'logflow_sink_batch_records',
      help: 'Records per Kafka batch the sink handled',
      buckets: [1, 10, 100, 500, 1_000, 2_500, 5_000, 10_000, 25_000],
      registers,
    }),
    writeSeconds: new Histogram({
      name: 'logflow_sink_write_seconds',
      help: 'Latency of one write to the store: a bulk request (Elasticsearch) or a batch transaction (Postgres)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    recordsWritten: new Counter({ name: 'logflow_sink_records_written_total', help: 'Records the store acknowledged', registers }),
    bytesWritten: new Counter({ name: 'logflow_sink_bytes_written_total', help: 'JSON bytes of the records the store acknowledged', registers }),
    duplicates: new Counter({
      name: 'logflow_sink_duplicates_total',
      help: 'Records whose id the store already held (a retry or a re-sent id): first write wins, nothing written',
      registers,
    }),
    writeFailures: new Counter({ name: 'logflow_sink_write_failures_total', help: 'Failed write attempts, each retried with backoff', registers }),
    deadLetters,
    rebalances: new Counter({ name: 'logflow_sink_group_joins_total', help: 'Times this member joined its consumer group', registers }),
    lag: new Gauge({
      name: 'logflow_sink_consumer_lag',
      help: "Records in each partition this member owns that are not committed yet (high watermark - group's committed offset)",
      labelNames: ['topic', 'partition'],
      registers,
      async collect() {
        await collectLag(this);
      },
    }),
  };
}
