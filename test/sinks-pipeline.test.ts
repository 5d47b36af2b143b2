import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexForLog } from '@logflow/core';
import { esCounts, isolatedPipeline, logRecord, pgCounts, sinkEnv, type IsolatedPipeline } from './sink-fixtures.ts';
import { freePorts } from './free-ports.ts';
import { eventually, startRole, type RunningRole } from './roles.ts';

const LOGS = 20_000;

describe('sinks: 20,000 logs through two instances of each sink', () => {
  let pipeline: IsolatedPipeline;
  const sinks: { role: RunningRole; port: number }[] = [];

  beforeAll(async () => {
    pipeline = await isolatedPipeline('sinks');
    const ports = await freePorts(4);
    const roles = ['es-sink', 'es-sink', 'pg-sink', 'pg-sink'];
    const started = await Promise.all(roles.map((role, i) => startRole(role, sinkEnv(pipeline, ports[i]!))));
    sinks.push(...started.map((role, i) => ({ role, port: ports[i]! })));
  });

  afterAll(async () => {
    await Promise.all(sinks.map(({ role }) => role.stop()));
    await pipeline?.close();
  });

  it('stores every log once in Elasticsearch and in Postgres, the instances sharing the partitions', async () => {
    const resourceId = `sinks-${pipeline.runId}`;
    await pipeline.produce(Array.from({ length: LOGS }, (_, i) => logRecord({ resourceId, message: `request ${i} served` })));

    await eventually(async () => ((await pgCounts(pipeline.pool, resourceId)).rows >= LOGS ? true : undefined), 90_000, 1_000);
    await eventually(async () => ((await esCounts(pipeline, resourceId)).docs >= LOGS ? true : undefined), 90_000, 1_000);
    expect(await pgCounts(pipeline.pool, resourceId)).toEqual({ rows: LOGS, ids: LOGS });
    expect(await esCounts(pipeline, resourceId)).toEqual({ docs: LOGS, ids: LOGS });

    // Each instance owns some partitions and wrote some of the logs; together all six.
    const health = await Promise.all(sinks.map(async ({ port }) => (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { status: string; partitions: number[] }));
    for (const pair of [health.slice(0, 2), health.slice(2, 4)]) {
      expect(pair.map((h) => h.status)).toEqual(['ok', 'ok']);
      expect(pair.every((h) => h.partitions.length > 0)).toBe(true);
      expect(pair.flatMap((h) => h.partitions).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    }
    const written = await Promise.all(
      sinks.map(async ({ port }) => {
        const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        return Number(/^logflow_sink_records_written_total\{[^}]*\} (\d+)/m.exec(metrics)?.[1]);
      }),
    );
    expect(written.every((n) => n > 0)).toBe(true);
  }, 240_000);

  it('keeps one row and one document when the same id and timestamp arrive twice, on different partitions', async () => {
    const resourceId = `sinks-twice-${pipeline.runId}`;
    const first = logRecord({ resourceId, level: 'error', message: 'payment failed' });
    const retry = { ...first, receivedAt: new Date(Date.parse(first.receivedAt) + 1).toISOString() };
    // The retry lands in the same daily index unless the two straddle midnight (then the reconciler removes the twin).
    expect(indexForLog(pipeline.names, { generation: 1 }, retry.receivedAt)).toBe(indexForLog(pipeline.names, { generation: 1 }, first.receivedAt));
    await pipeline.produce([first], 0);
    await pipeline.produce([retry], 3);
    const marker = `sinks-twice-after-${pipeline.runId}`;
    // Logs produced after both copies on both partitions: once they are stored, so are the copies.
    await pipeline.produce([logRecord({ resourceId: marker })], 0);
    await pipeline.produce([logRecord({ resourceId: marker })], 3);

    await eventually(async () => ((await pgCounts(pipeline.pool, marker)).rows === 2 ? true : undefined), 30_000, 500);
    await eventually(async () => ((await esCounts(pipeline, marker)).docs === 2 ? true : undefined), 30_000, 500);
    expect(await pgCounts(pipeline.pool, resourceId)).toEqual({ rows: 1, ids: 1 });
    expect(await esCounts(pipeline, resourceId)).toEqual({ docs: 1, ids: 1 });
  });

  it('on SIGTERM finishes, commits every offset and leaves the group', async () => {
    // Records still arriving while the sinks stop: whatever was taken must be written and committed.
    await pipeline.produce(Array.from({ length: 2_000 }, () => logRecord({ resourceId: `sinks-stop-${pipeline.runId}` })));
    await Promise.all(sinks.map(({ role }) => role.stop()));
    expect(sinks.map(({ role }) => role.process.exitCode)).toEqual([0, 0, 0, 0]);
    const admin = pipeline.kafka.admin();
    await admin.connect();
    try {
      const groupIds = [pipeline.config.sinks.es.groupId, pipeline.config.sinks.pg.groupId];
      const { groups } = await admin.describeGroups(groupIds);
      expect(groups.map((g) => g.members)).toEqual([[], []]);
      const ends = await admin.fetchTopicOffsets(pipeline.config.kafka.topic);
      for (const groupId of groupIds) {
        const committed = await admin.fetchOffsets({ groupId, topics: [pipeline.config.kafka.topic] });
        const committedBy = new Map(committed[0]!.partitions.map((p) => [p.partition, Number(p.offset)]));
        // Every committed offset is at most the end; everything below it is stored (checked next).
        for (const { partition, high } of ends) expect(committedBy.get(partition)).toBeLessThanOrEqual(Number(high));
      }
      const committedTotal = async (groupId: string) =>
        (await admin.fetchOffsets({ groupId, topics: [pipeline.config.kafka.topic] }))[0]!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
      const produced = ends.reduce((sum, p) => sum + Number(p.high), 0);
      const stored = { pg: (await pgCounts(pipeline.pool, `sinks-stop-${pipeline.runId}`)).rows, es: (await esCounts(pipeline, `sinks-stop-${pipeline.runId}`)).docs };
      // Nothing committed is missing: the logs not stored are exactly the ones not committed yet.
      expect(produced - (await committedTotal(groupIds[1]!))).toBe(2_000 - stored.pg);
      expect(stored.es).toBeGreaterThanOrEqual(2_000 - (produced - (await committedTotal(groupIds[0]!))));
    } finally {
      await admin.disconnect();
    }
  });
});
