import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ProducerStats } from './batching-producer.ts';

export interface IngestMetrics extends ProducerStats {
  accepted: Counter;
  rejected: Counter<'reason'>;
  bytes: Counter;
  batchSize: Histogram;
}

/** What an operator watches on the ingester: volume, refusals by reason, Kafka latency, backlog. */
export function createIngestMetrics(registry: Registry, queueDepth: () => { requests: number; bytes: number }): IngestMetrics {
  const accepted = new Counter({ name: 'logflow_ingest_logs_accepted_total', help: 'Logs acknowledged by Kafka', registers: [registry] });
  const rejected = new Counter({
    name: 'logflow_ingest_logs_rejected_total',
    help: 'Logs refused, by reason (a validation rule, or why Kafka could not take them)',
    labelNames: ['reason'],
    registers: [registry],
  });
  const bytes = new Counter({ name: 'logflow_ingest_bytes_total', help: 'Request body bytes after decompression', registers: [registry] });
  const batchSize = new Histogram({
    name: 'logflow_ingest_request_batch_size',
    help: 'Logs per request',
    buckets: [1, 10, 100, 1_000, 10_000],
    registers: [registry],
  });
  const produceSeconds = new Histogram({
    name: 'logflow_ingest_produce_seconds',
    help: 'Time for Kafka to acknowledge a produce request (acks=all)',
    labelNames: ['outcome'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [registry],
  });
  const produceBatch = new Histogram({
    name: 'logflow_ingest_produce_batch_size',
    help: 'Logs per Kafka produce request (requests gathered together)',
    buckets: [1, 10, 100, 1_000, 10_000],
    registers: [registry],
  });
  new Gauge({
    name: 'logflow_ingest_queue_depth',
    help: 'Requests waiting for a Kafka produce slot',
    registers: [registry],
    collect() {
      this.set(queueDepth().requests);
    },
  });
  new Gauge({
    name: 'logflow_ingest_queue_bytes',
    help: 'Bytes waiting for a Kafka produce slot',
    registers: [registry],
    collect() {
      this.set(queueDepth().bytes);
    },
  });
  return {
    accepted,
    rejected,
    bytes,
    batchSize,
    onSend(records, seconds, ok) {
      produceSeconds.observe({ outcome: ok ? 'ok' : 'failed' }, seconds);
      produceBatch.observe(records);
    },
  };
}
