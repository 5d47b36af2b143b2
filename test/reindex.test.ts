import { parseDailyIndex, readWritePlan, type ReindexResult } from '@logflow/core';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstallation, makeRecords, waitForJob, type Installation } from './installation.ts';
import { eventually, INGESTER_URL, QUERY_URL, startRole, type RunningRole } from './roles.ts';
import { setTimeout as sleep } from 'node:timers/promises';

const CLI = fileURLToPath(new URL('../cli/logflow.mjs', import.meta.url));
const SEED = 20_000;

/** `logflow <args>` as an operator runs it: its exit code, its stdout and its stderr. */
function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('reindex while logs keep coming and searches keep running', () => {
  let lf: Installation;
  const roles: RunningRole[] = [];
  let seedIds: string[] = [];

  beforeAll(async () => {
    lf = await createInstallation('reindex');
    roles.push(...(await Promise.all(['ingester', 'pg-sink', 'es-sink', 'query', 'reconciler'].map((role) => startRole(role, lf.env)))));
    const seed = makeRecords(SEED, 'reindex-seed');
    seedIds = seed.map((record) => record.id);
    await lf.produce(seed);
    await lf.settled(SEED);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(roles.map((role) => role.stop()));
    await lf?.close();
  });

  it('builds generation 2 from Postgres, swaps the alias atomically and drops generation 1: no search fails, misses or doubles a log', async () => {
    let running = true;
    let attempted = 0;
    let accepted = 0;
    const ingest = (async () => {
      while (running) {
        const batch = makeRecords(50, 'reindex-live').map(({ level, message, timestamp, resourceId }) => ({ level, message, timestamp, resourceId }));
        attempted += batch.length;
        const response = await fetch(`${INGESTER_URL}/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch) });
        if (response.status === 202) accepted += batch.length;
        await response.arrayBuffer();
        await sleep(50);
      }
    })();
    const searches: { status: number; total: number; bound: number }[] = [];
    // The seed's logs, a known set: every look must find each of them exactly once, whatever the alias points at.
    const sample = seedIds.filter((_, i) => i % 100 === 0);
    const seedLooks: { status: number; seedTotal: number; missed: number; doubled: number }[] = [];
    const search = (async () => {
      while (running) {
        const bound = SEED + attempted;
        const response = await fetch(`${QUERY_URL}/api/logs/search?size=1&exactTotal=true`);
        const body = (await response.json()) as { total?: number };
        searches.push({ status: response.status, total: body.total ?? -1, bound });
        const seedAnswer = await fetch(`${QUERY_URL}/api/logs/search?size=1&exactTotal=true&resourceId=reindex-seed`);
        const seedTotal = ((await seedAnswer.json()) as { total?: number }).total ?? -1;
        const found = await lf.es.search<{ id: string }>({ index: lf.names.readAlias, size: 2 * sample.length, _source: ['id'], query: { terms: { id: sample } } });
        const ids = found.hits.hits.map((hit) => hit._source!.id);
        seedLooks.push({ status: seedAnswer.status, seedTotal, missed: sample.filter((id) => !ids.includes(id)).length, doubled: ids.length - new Set(ids).size });
        await sleep(20);
      }
    })();

    const cli = await runCli(['reindex'], lf.env);
    running = false;
    await Promise.all([ingest, search]);

    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stderr).toMatch(/queued reindex job \S+/);
    expect(cli.stderr).toMatch(/backfill/);
    const result = JSON.parse(cli.stdout) as ReindexResult;
    expect(result).toMatchObject({ fromGeneration: 1, toGeneration: 2 });
    expect(result.backfilled).toBeGreaterThanOrEqual(SEED);
    expect(result.droppedIndices.length).toBeGreaterThan(0);

    expect(searches.length).toBeGreaterThan(50);
    expect(searches.filter((s) => s.status !== 200)).toEqual([]);
    // Logs only arrive: a total that fell would be a search that missed logs; one above what was sent, logs seen twice.
    const fell = searches.flatMap((s, i) => (i > 0 && s.total < searches[i - 1]!.total ? [{ at: i, of: searches.length, before: searches[i - 1], after: s }] : []));
    expect(fell).toEqual([]);
    expect(searches.filter((s) => s.total > s.bound)).toEqual([]);
    expect(searches.at(-1)!.total).toBeGreaterThan(searches[0]!.total);
    // No look missed or doubled a seed log, through the API (its exact total) or the read alias (each sampled id once).
    expect(seedLooks.length).toBeGreaterThan(20);
    expect(seedLooks.filter((look) => look.status !== 200 || look.seedTotal !== SEED || look.missed > 0 || look.doubled > 0)).toEqual([]);

    expect(accepted).toBeGreaterThan(0);
    await lf.settled(SEED + accepted);
    expect(await readWritePlan(lf.es, lf.names)).toEqual({ generation: 2 });
    const aliased = Object.keys(await lf.es.indices.getAlias({ name: lf.names.readAlias }));
    expect(aliased.map((index) => parseDailyIndex(lf.names, index)?.generation)).toEqual(aliased.map(() => 2));
    const generation1 = await lf.es.cat.indices({ index: `${lf.names.prefix}-1-*`, format: 'json' });
    expect(generation1).toEqual([]);
    const filters = await lf.es.indices.getAlias({ name: lf.names.readAlias });
    expect(Object.values(filters).map((entry) => entry.aliases[lf.names.readAlias])).toEqual(aliased.map(() => ({})));
  }, 170_000);

  it('resumes a reindex whose worker was killed (SIGKILL) midway, building one generation only', async () => {
    const queued = await fetch(`${QUERY_URL}/api/admin/jobs/reindex`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(queued.status).toBe(202);
    const { id } = (await queued.json()) as { id: string };
    const again = await fetch(`${QUERY_URL}/api/admin/jobs/reindex`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(again.status).toBe(409);
    await eventually(
      async () => {
        const job = (await (await fetch(`${QUERY_URL}/api/admin/jobs/${id}`)).json()) as { progress: { phase?: string } };
        return job.progress?.phase === 'backfill' ? true : undefined;
      },
      60_000,
      50,
    );
    const reconciler = roles.find((role) => role.role === 'reconciler')!;
    reconciler.process.kill('SIGKILL');
    await reconciler.stop();
    expect(await readWritePlan(lf.es, lf.names)).toMatchObject({ generation: 3, previous: 2 });

    roles.splice(roles.indexOf(reconciler), 1, await startRole('reconciler', lf.env));
    const outcome = await waitForJob<ReindexResult>(QUERY_URL, id, 120_000);
    expect(outcome.state).toBe('completed');
    expect(outcome.result).toMatchObject({ fromGeneration: 2, toGeneration: 3 });
    expect(await readWritePlan(lf.es, lf.names)).toEqual({ generation: 3 });
    const counts = await lf.counts();
    expect(counts.es).toBe(counts.pg);
    const generations = (await lf.es.cat.indices({ index: `${lf.names.prefix}-*`, format: 'json', h: 'index' })).map((row) => parseDailyIndex(lf.names, row.index!)?.generation);
    expect(new Set(generations)).toEqual(new Set([3]));
  }, 170_000);
});
