import { describe, expect, it } from 'vitest';
import type { Client } from '@elastic/elasticsearch';
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import { createLogger } from '@logflow/core';
import { Freshness, type FreshnessOptions } from './freshness.ts';
import { setTimeout as sleep } from 'node:timers/promises';

const OPTIONS: FreshnessOptions = { lagTtlMs: 60_000, gapTtlMs: 60_000, pgTimeoutMs: 2_000, maxConcurrentCounts: 2 };
function freshness(options: { pgCount?: () => Promise<number>; esCount?: number; delayMs?: number } = {}) {
  const queries: { sql: string; values: unknown[] }[] = [];
  const kafka = {
    admin: () => ({
      connect: async () => undefined,
      disconnect: async () => undefined,
      fetchTopicOffsets: async () => [
        { partition: 0, high: '100', low: '0' },
        { partition: 1, high: '50', low: '10' },
      ],
      // Partition 1 was never committed: it lags by all it holds.
      fetchOffsets: async () => [
        {
          topic: 'logs',
          partitions: [
            { partition: 0, offset: '97' },
            { partition: 1, offset: '-1' },
          ],
        },
      ],
    }),
  } as unknown as Kafka;
  const pool = {
    query: async (sql: string, values: unknown[]) => {
      queries.push({ sql, values });
      await sleep(options.delayMs ?? 0);
      return { rows: [{ n: String(await (options.pgCount ?? (async () => 13))()) }] };
    },
  } as unknown as pg.Pool;
  const es = { count: async () => ({ count: options.esCount ?? 10 }) } as unknown as Client;
  const logger = createLogger({ logLevel: 'silent' }, 'test');
  return { queries, freshness: new Freshness({ kafka, pool, elasticsearch: es, readAlias: 'logflow-logs', topic: 'logs', groupId: 'g', logger }, OPTIONS) };
}

describe('freshness', () => {
  it('reports the ES sink lag and the logs of the range Postgres has beyond Elasticsearch', async () => {
    const { freshness: f, queries } = freshness();
    const report = await f.report({ from: Date.parse('2026-01-01T00:00:00.250Z'), to: Date.parse('2026-01-01T01:00:00.500Z') }, 1_000);
    expect(report.esSinkLag).toMatchObject({ messages: 3 + 40 });
    expect(report.missingFromElasticsearch).toMatchObject({
      status: 'counted',
      count: 3,
      postgres: 13,
      elasticsearch: 10,
      range: { from: '2026-01-01T00:00:00.000Z', to: '2026-01-01T01:00:01.000Z' },
    });
    expect(queries[0]).toEqual({
      sql: 'SELECT count(*)::bigint AS n FROM logs WHERE timestamp >= $1 AND timestamp < $2',
      values: ['2026-01-01T00:00:00.000Z', '2026-01-01T01:00:01.000Z'],
    });
    await f.close();
  });

  it('answers pending while a range is being counted, then serves the count from its cache', async () => {
    const { freshness: f, queries } = freshness({ delayMs: 100 });
    expect((await f.report({}, 10)).missingFromElasticsearch).toMatchObject({ status: 'pending', count: null });
    await sleep(150);
    expect((await f.report({}, 10)).missingFromElasticsearch).toMatchObject({ status: 'counted', count: 3 });
    expect(queries).toHaveLength(1);
    expect(queries[0]!.sql).toBe('SELECT count(*)::bigint AS n FROM logs');
    await f.close();
  });

  it('gives up a count Postgres cancels for taking too long, saying so', async () => {
    const timeout = Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });
    const { freshness: f } = freshness({ pgCount: async () => Promise.reject(timeout) });
    expect((await f.report({ from: 0 }, 1_000)).missingFromElasticsearch).toMatchObject({
      status: 'skipped',
      count: null,
      elasticsearch: 10,
      reason: 'counting the range in Postgres took over 2000 ms; narrow the time range',
    });
    await f.close();
  });

  it('after a count timed out, does not count ranges as wide for a while, but still narrower ones', async () => {
    const timeout = Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });
    let slow = true;
    const { freshness: f, queries } = freshness({ pgCount: async () => (slow ? Promise.reject(timeout) : 13) });
    await f.report({ from: 0, to: 3_600_000 }, 1_000);
    slow = false;
    const wider = await f.report({ from: 1_000_000, to: 9_000_000 }, 1_000);
    expect(wider.missingFromElasticsearch).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/a moment ago; narrow the time range$/) });
    const narrower = await f.report({ from: 0, to: 60_000 }, 1_000);
    expect(narrower.missingFromElasticsearch).toMatchObject({ status: 'counted', count: 3 });
    expect(queries).toHaveLength(2);
    await f.close();
  });

  it('counts at most a few ranges at once', async () => {
    const { freshness: f } = freshness({ delayMs: 100 });
    const reports = await Promise.all([1, 2, 3].map((i) => f.report({ from: i * 1_000 }, 10)));
    expect(reports.map((r) => r.missingFromElasticsearch.status)).toEqual(['pending', 'pending', 'skipped']);
    await f.close();
  });
});
