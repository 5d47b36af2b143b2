import { dailyIndex, type ReconcileResult } from '@logflow/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstallation, makeRecords, runJobThroughApi, sample, waitForJob, type Installation } from './installation.ts';
import { eventually, QUERY_URL, startRole, type RunningRole } from './roles.ts';

const TOTAL = 50_000;
const DAY_MS = 86_400_000;

/** The ids among `ids` that the installation's read alias does not hold. */
async function absent(lf: Installation, ids: string[]): Promise<string[]> {
  await lf.es.indices.refresh({ index: lf.names.readAlias });
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 5_000) {
    const batch = ids.slice(i, i + 5_000);
    const hits = await lf.es.search({ index: lf.names.readAlias, size: batch.length, _source: false, query: { ids: { values: batch } } });
    for (const hit of hits.hits.hits) found.add(hit._id!);
  }
  return ids.filter((id) => !found.has(id));
}

describe('reconcile: Postgres repairs Elasticsearch', () => {
  let lf: Installation;
  const roles: RunningRole[] = [];
  let reconciler: RunningRole;
  const today = new Date().toISOString();
  const yesterday = new Date(Date.now() - DAY_MS).toISOString();
  let todayIds: string[] = [];
  let yesterdayIds: string[] = [];

  beforeAll(async () => {
    lf = await createInstallation('reconcile');
    roles.push(...(await Promise.all(['pg-sink', 'es-sink', 'query'].map((role) => startRole(role, lf.env)))));
    reconciler = await startRole('reconciler', lf.env);
    const todays = makeRecords(TOTAL, 'reconcile-today', today);
    // Logs received yesterday (as a retry across midnight would be): a second daily index of the installation's own.
    const yesterdays = makeRecords(5_000, 'reconcile-yesterday', yesterday);
    todayIds = todays.map((r) => r.id);
    yesterdayIds = yesterdays.map((r) => r.id);
    await lf.produce([...todays, ...yesterdays]);
    await lf.settled(TOTAL + 5_000);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([...roles, reconciler].map((role) => role?.stop()));
    await lf?.close();
  });

  it('replays exactly the 1% of 50,000 logs deleted from Elasticsearch; a second run finds nothing', async () => {
    const doomed = sample(todayIds, TOTAL / 100);
    const index = dailyIndex(lf.names, 1, today);
    const deleted = await lf.es.bulk({ refresh: true, operations: doomed.map((id) => ({ delete: { _index: index, _id: id } })) });
    expect(deleted.items.every((item) => item.delete?.result === 'deleted')).toBe(true);
    expect(await lf.counts()).toEqual({ pg: TOTAL + 5_000, es: TOTAL + 5_000 - doomed.length });

    const first = await runJobThroughApi<ReconcileResult>(QUERY_URL, 'reconcile');
    expect(first.state).toBe('completed');
    expect(first.result).toMatchObject({
      logsChecked: TOTAL + 5_000,
      missingFound: doomed.length,
      replayed: doomed.length,
      replayRefused: 0,
      extraFound: 0,
      twinsRemoved: 0,
      outdatedReplaced: 0,
    });
    expect(first.result.rangesChecked).toBeGreaterThan(1);
    expect(await absent(lf, doomed)).toEqual([]);
    expect(await lf.counts()).toEqual({ pg: TOTAL + 5_000, es: TOTAL + 5_000 });

    const second = await runJobThroughApi<ReconcileResult>(QUERY_URL, 'reconcile');
    expect(second.result).toMatchObject({ missingFound: 0, replayed: 0, extraFound: 0, twinsRemoved: 0, leavesDiffed: 0 });
    const stored = await lf.pool.query('SELECT status, missing_found, replayed FROM reconcile_runs ORDER BY id');
    expect(stored.rows).toEqual([
      { status: 'completed', missing_found: doomed.length, replayed: doomed.length },
      { status: 'completed', missing_found: 0, replayed: 0 },
    ]);
  });

  it('restores a whole deleted daily index, and only that one', async () => {
    const index = dailyIndex(lf.names, 1, yesterday);
    await lf.es.indices.delete({ index });
    const result = (await runJobThroughApi<ReconcileResult>(QUERY_URL, 'reconcile')).result;
    expect(result).toMatchObject({ missingFound: 5_000, replayed: 5_000, extraFound: 0 });
    await lf.es.indices.refresh({ index });
    expect((await lf.es.count({ index })).count).toBe(5_000);
    expect(await absent(lf, yesterdayIds)).toEqual([]);
  });

  it('removes a twin in another daily index and reports a document Postgres lacks, deleting it only when asked', async () => {
    const [twinId] = todayIds;
    const twin = await lf.es.get<Record<string, unknown>>({ index: dailyIndex(lf.names, 1, today), id: twinId! });
    const twinIndex = dailyIndex(lf.names, 1, yesterday);
    await lf.es.index({ index: twinIndex, id: twinId!, document: { ...twin._source, receivedAt: yesterday } });
    const [stranger] = makeRecords(1, 'reconcile-stranger', today);
    await lf.es.index({ index: dailyIndex(lf.names, 1, today), id: stranger!.id, document: stranger, refresh: true });

    const reported = (await runJobThroughApi<ReconcileResult>(QUERY_URL, 'reconcile')).result;
    expect(reported).toMatchObject({ twinsRemoved: 1, extraFound: 1, extraRemoved: 0, missingFound: 0 });
    expect((await lf.es.exists({ index: twinIndex, id: twinId! })).valueOf()).toBe(false);
    expect(await absent(lf, [twinId!])).toEqual([]);

    const removed = (await runJobThroughApi<ReconcileResult>(QUERY_URL, 'reconcile', { removeExtra: true })).result;
    expect(removed).toMatchObject({ twinsRemoved: 0, extraFound: 1, extraRemoved: 1 });
    expect(await lf.counts()).toEqual({ pg: TOTAL + 5_000, es: TOTAL + 5_000 });
  });

  it('runs a reconcile killed midway (SIGKILL) again to a correct end', async () => {
    const index = dailyIndex(lf.names, 1, today);
    await lf.es.indices.delete({ index });
    const queued = await fetch(`${QUERY_URL}/api/admin/jobs/reconcile`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const { id } = (await queued.json()) as { id: string };
    await eventually(
      async () => {
        const job = (await (await fetch(`${QUERY_URL}/api/admin/jobs/${id}`)).json()) as { progress: { replayed?: number } };
        return (job.progress?.replayed ?? 0) >= 5_000 ? true : undefined;
      },
      60_000,
      50,
    );
    reconciler.process.kill('SIGKILL');
    await reconciler.stop();
    const replayedBeforeKill = (await lf.es.count({ index, ignore_unavailable: true })).count;
    expect(replayedBeforeKill).toBeLessThan(TOTAL);

    // A new worker finds the job's lock expired and runs the job again.
    reconciler = await startRole('reconciler', lf.env);
    const outcome = await waitForJob<ReconcileResult>(QUERY_URL, id, 90_000);
    expect(outcome.state).toBe('completed');
    expect(outcome.result.replayed).toBe(outcome.result.missingFound);
    expect(outcome.result.missingFound).toBeLessThanOrEqual(TOTAL);
    expect(await lf.counts()).toEqual({ pg: TOTAL + 5_000, es: TOTAL + 5_000 });
    expect(await absent(lf, todayIds)).toEqual([]);
    const runs = await lf.pool.query('SELECT status FROM reconcile_runs WHERE job_id = $1 ORDER BY id', [id]);
    expect(runs.rows.map((r) => r.status)).toEqual(['interrupted', 'completed']);

    const after = (await runJobThroughApi<ReconcileResult>(QUERY_URL, 'reconcile')).result;
    expect(after).toMatchObject({ missingFound: 0, extraFound: 0, twinsRemoved: 0 });
  }, 180_000);
});
