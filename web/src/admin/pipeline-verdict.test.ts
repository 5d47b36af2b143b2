import type { PipelineStatus } from '@logflow/common';
import { describe, expect, it } from 'vitest';
import { jobLabel, pipelineVerdict } from './pipeline-verdict.ts';

const status = (change: Partial<PipelineStatus> = {}): PipelineStatus => ({
  consumerLag: [
    { group: 'es-sink', partition: 0, committed: 10, end: 10, lag: 0 },
    { group: 'pg-sink', partition: 0, committed: 10, end: 10, lag: 0 },
  ],
  elasticsearch: { count: 300, writeGeneration: 1, cutoverAt: null },
  postgres: { count: 300, exact: true },
  lastReconcile: null,
  dlq: { topic: 'logs.dlq', messages: 0 },
  ledger: { accepted: 300, postgresWritten: 300, elasticsearchIndexed: 300 },
  jobs: {},
  unavailable: [],
  ...change,
});

describe('the pipeline verdict', () => {
  it('is healthy when every part answers, keeps up and is complete', () => {
    expect(pipelineVerdict(status())).toEqual({ healthy: true, reasons: [] });
  });

  it('says why it is unhealthy', () => {
    const verdict = pipelineVerdict(
      status({
        unavailable: ['redis'],
        consumerLag: [
          { group: 'es-sink', partition: 0, committed: 0, end: 8_000, lag: 8_000 },
          { group: 'es-sink', partition: 1, committed: 0, end: 4_000, lag: 4_000 },
        ],
        postgres: { count: 5_000, exact: true },
        dlq: { topic: 'logs.dlq', messages: 1 },
      }),
    );
    expect(verdict.healthy).toBe(false);
    expect(verdict.reasons).toEqual([
      'redis does not answer',
      'es-sink is 12,000 messages behind',
      '4,700 logs of Postgres are not searchable (a reconcile repairs this)',
      '1 dead letter waits for a replay',
    ]);
  });

  it('names jobs for people', () => {
    expect(jobLabel('reconcile')).toBe('Reconcile (repair search from Postgres)');
    expect(jobLabel('other')).toBe('other');
  });
});
