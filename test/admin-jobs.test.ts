import { dailyIndex, ensureDailyPartitions, type ReconcileResult, type ReplayResult, type RetentionResult } from '@logflow/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstallation, makeRecords, runJobThroughApi, type Installation } from './installation.ts';
import { eventually, QUERY_URL, startRole, type RunningRole } from './roles.ts';

const DAY_MS = 86_400_000;
/** Received long enough ago to lie below the watermark (RECONCILE_SETTLE is 2 s in tests) once both sinks hold them. */
const settledReceipt = () => new Date(Date.now() - 5_000).toISOString();
const post = (path: string, body: unknown) => fetch(`${QUERY_URL}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('admin jobs: lag, replay, retention and the admin API', () => {
  let lf: Installation;
  let esSink: RunningRole;
  const roles: RunningRole[] = [];
  let total = 0;

  beforeAll(async () => {
    lf = await createInstallation('admin');
    roles.push(...(await Promise.all(['pg-sink', 'query', 'reconciler'].map((role) => startRole(role, lf.env)))));
    esSink = await startRole('es-sink', lf.env);
    await lf.produce(makeRecords(1_000, 'admin-before-pause', settledReceipt()));
    total = 1_000;
    await lf.settled(total);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...roles, esSink].map((role) => role?.stop()));
    await lf?.close();
  });

  it('does not report the lag of a paused ES sink as loss', async () => {
    const baseline = await runJobThroughApi<ReconcileResult>(QUERY_URL, 'reconcile');
    expect(baseline.result).toMatchObject({ logsChecked: 1_000, missingFound: 0 });

    await esSink.stop();
    const lagging = makeRecords(2_000, 'admin-during-pause');
    await lf.produce(lagging);
    total += lagging.length;
    await eventually(async () => ((await lf.counts()).pg === total ? true : undefined), 30_000);

    const during = await runJobThroughApi<ReconcileResult>(QUERY_URL, 'reconcile');
    expect(during.result).toMatchObject({ missingFound: 0, replayed: 0, extraFound: 0, logsChecked: 1_000 });
    expect(Date.parse(during.result.watermark!)).toBeLessThan(Date.parse(lagging[0]!.receivedAt));
    expect((await lf.counts()).es).toBe(1_000);

    const pipeline = (await (await fetch(`${QUERY_URL}/api/admin/pipeline`)).json()) as {
      consumerLag: { group: string; lag: number }[];
      elasticsearch: { count: number; writeGeneration: number };
      postgres: { count: number; exact: boolean };
      lastReconcile: { id: number; missingFound: number };
      dlq: { messages: number };
      ledger: { accepted: number; postgresWritten: number; elasticsearchIndexed: number };
    };
    const lagOf = (suffix: string) => pipeline.consumerLag.filter((row) => row.group.endsWith(suffix)).reduce((sum, row) => sum + row.lag, 0);
    expect(lagOf('logflow-es-sink')).toBe(2_000);
    expect(pipeline).toMatchObject({
      elasticsearch: { count: 1_000, writeGeneration: 1 },
      postgres: { count: total, exact: true },
      lastReconcile: { id: during.result.runId, missingFound: 0 },
      dlq: { messages: 0 },
      // Produced straight to Kafka, so no ingester acknowledged them; each sink counted what it wrote.
      ledger: { accepted: 0, postgresWritten: total, elasticsearchIndexed: 1_000 },
      unavailable: [],
    });

    esSink = await startRole('es-sink', lf.env);
    await lf.settled(total);
    const after = await runJobThroughApi<ReconcileResult>(QUERY_URL, 'reconcile');
    expect(after.result).toMatchObject({ logsChecked: total, missingFound: 0 });
  }, 120_000);

  it('replays a range for some resourceIds and levels only', async () => {
    const records = makeRecords(500, 'admin-replay', settledReceipt());
    await lf.produce(records);
    total += records.length;
    await lf.settled(total);
    const index = dailyIndex(lf.names, 1, records[0]!.receivedAt);
    await lf.es.bulk({ refresh: true, operations: records.map((r) => ({ delete: { _index: index, _id: r.id } })) });

    const range = { from: new Date(Date.parse(records[0]!.receivedAt) - 1).toISOString(), to: new Date().toISOString() };
    const replay = await runJobThroughApi<ReplayResult>(QUERY_URL, 'replay', { ...range, resourceIds: ['admin-replay'], levels: ['error'] });
    const errors = records.filter((r) => r.level === 'error');
    expect(replay.result).toMatchObject({ matched: errors.length, indexed: errors.length, refused: 0 });
    expect(replay.progress).toMatchObject({ percent: 100 });
    await lf.es.indices.refresh({ index });
    const back = await lf.es.count({ index, query: { term: { resourceId: 'admin-replay' } } });
    expect(back.count).toBe(errors.length);

    const scoped = await runJobThroughApi<ReconcileResult>(QUERY_URL, 'reconcile', { resourceIds: ['admin-replay'] });
    expect(scoped.result).toMatchObject({ logsChecked: records.length, missingFound: records.length - errors.length });
    expect(await lf.counts()).toEqual({ pg: total, es: total });
  }, 120_000);

  it('drops what is older than the retention cutoff, and reconcile ignores what one store dropped before the other', async () => {
    const old = new Date(Date.now() - 20 * DAY_MS);
    await ensureDailyPartitions(lf.pool, [old]);
    const tenDaysAgo = new Date(Date.now() - 10 * DAY_MS).toISOString();
    const expired = makeRecords(100, 'admin-expired', tenDaysAgo, tenDaysAgo);
    const expiredPartition = makeRecords(50, 'admin-old-partition', tenDaysAgo, old.toISOString());
    // Received today with an old timestamp (a backfill): Postgres drops it by timestamp, Elasticsearch keeps today's index.
    const backfill = makeRecords(30, 'admin-backfill', settledReceipt(), tenDaysAgo);
    const kept = makeRecords(40, 'admin-kept', settledReceipt(), settledReceipt());
    await lf.produce([...expired, ...expiredPartition, ...backfill, ...kept]);
    total += expired.length + expiredPartition.length + backfill.length + kept.length;
    await lf.settled(total);

    const before = new Date(Date.now() - 5 * DAY_MS).toISOString();
    const retention = await runJobThroughApi<RetentionResult>(QUERY_URL, 'retention', { before });
    expect(retention.state).toBe('completed');
    expect(retention.result).toMatchObject({
      cutoff: `${before.slice(0, 10)}T00:00:00.000Z`,
      droppedPartitions: [`logs_p${old.toISOString().slice(0, 10).replaceAll('-', '')}`],
      deletedIndices: [dailyIndex(lf.names, 1, tenDaysAgo)],
    });
    // The 1,000s of example logs carry the seed's 2023 timestamp: the default partition drops them as well.
    const left = await lf.pool.query<{ n: string }>('SELECT count(*) AS n FROM logs');
    expect(retention.result.deletedRows + expiredPartition.length + Number(left.rows[0]!.n)).toBe(total);

    expect(Number(left.rows[0]!.n)).toBe(kept.length);

    // Elasticsearch still holds every log received since the cutoff, Postgres only those with a later timestamp: no extras.
    const reconcile = await runJobThroughApi<ReconcileResult>(QUERY_URL, 'reconcile');
    expect(reconcile.result).toMatchObject({ logsChecked: kept.length, missingFound: 0, extraFound: 0, twinsRemoved: 0 });
    expect(reconcile.result.from! >= retention.result.cutoff).toBe(true);
  }, 120_000);

  it('validates job data, refuses retention while it is off, and reports jobs with their history', async () => {
    const bad = await post('/api/admin/jobs/replay', { from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' });
    expect(bad.status).toBe(400);
    const unknownField = await post('/api/admin/jobs/reconcile', { form: 'yesterday' });
    expect(unknownField.status).toBe(400);
    const off = await post('/api/admin/jobs/retention', {});
    expect(off.status).toBe(400);
    expect(((await off.json()) as { error: { code: string } }).error.code).toBe('retention_off');
    expect((await fetch(`${QUERY_URL}/api/admin/jobs/does-not-exist`)).status).toBe(404);

    const history = (await (await fetch(`${QUERY_URL}/api/admin/jobs?name=reconcile`)).json()) as {
      jobs: { name: string; state: string; progress: { percent: number }; result: ReconcileResult }[];
    };
    expect(history.jobs.length).toBeGreaterThanOrEqual(5);
    expect(history.jobs.every((job) => job.name === 'reconcile' && job.state === 'completed' && job.progress.percent === 100)).toBe(true);
    expect(history.jobs[0]!.result.runId).toBeGreaterThan(history.jobs.at(-1)!.result.runId);
  });

  it('runs reconcile on its schedule (RECONCILE_EVERY)', async () => {
    const reconciler = roles.find((role) => role.role === 'reconciler')!;
    await reconciler.stop();
    roles.splice(roles.indexOf(reconciler), 1, await startRole('reconciler', { ...lf.env, RECONCILE_EVERY: '2s' }));
    const scheduler = await lf.queue.getJobScheduler('reconcile');
    expect(scheduler).toMatchObject({ every: 2_000 });
    const before = Date.now();
    await eventually(async () => {
      const runs = await lf.pool.query(`SELECT count(*)::int AS n FROM reconcile_runs WHERE status = 'completed' AND started_at > $1`, [new Date(before)]);
      return runs.rows[0].n >= 2 ? true : undefined;
    }, 30_000);
  }, 60_000);
});
