import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexForLog } from '@logflow/core';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { esCounts, isolatedPipeline, logRecord, pgCounts, sinkEnv, type IsolatedPipeline } from './sink-fixtures.ts';
import { eventually, QUERY_URL, startRole, type RunningRole } from './roles.ts';

const CLI = fileURLToPath(new URL('../cli/logflow.mjs', import.meta.url));

interface DeadLetter {
  partition: number;
  offset: string;
  sink: string;
  reason: string;
  source: { partition: number; offset: string };
  logId: string | null;
  replayedAt: string | null;
}

describe('sinks: a log Elasticsearch refuses goes to the DLQ and is replayed once the cause is fixed', () => {
  let pipeline: IsolatedPipeline;
  const roles: RunningRole[] = [];
  let conflictIndex: string;

  beforeAll(async () => {
    pipeline = await isolatedPipeline('dlq');
    roles.push(...(await Promise.all(['es-sink', 'pg-sink', 'query'].map((role) => startRole(role, sinkEnv(pipeline, 0))))));
  });

  afterAll(async () => {
    await Promise.all(roles.map((role) => role.stop()));
    if (conflictIndex) await pipeline?.es.indices.delete({ index: conflictIndex, ignore_unavailable: true });
    await pipeline?.close();
  });

  it('dead-letters it with its reason, stores it in Postgres, keeps the partition flowing, and indexes it on replay', async () => {
    // A daily index of its own (a random day of the 1990s) whose mapping says metadata.shape is a number.
    const receivedAt = new Date(Date.UTC(1990, 0, 1) + Math.floor(Math.random() * 3650) * 86_400_000);
    conflictIndex = indexForLog(pipeline.names, { generation: 1 }, receivedAt.toISOString());
    await pipeline.es.indices.delete({ index: conflictIndex, ignore_unavailable: true });
    await pipeline.es.indices.create({ index: conflictIndex, mappings: { properties: { metadata: { properties: { shape: { type: 'long' } } } } } });

    const resourceId = `dlq-${pipeline.runId}`;
    const refused = logRecord({ resourceId, level: 'warn', message: 'odd shape', metadata: { shape: 'round' } }, receivedAt);
    const later = Array.from({ length: 5 }, (_, i) => logRecord({ resourceId: `${resourceId}-later`, message: `later ${i}` }));
    await pipeline.produce([refused], 2);
    await pipeline.produce(later, 2);

    const letters = async () => {
      const response = await fetch(`${QUERY_URL}/api/admin/dlq`);
      if (!response.ok) throw new Error(`GET /api/admin/dlq answered ${response.status}: ${await response.text()}`);
      return ((await response.json()) as { deadLetters: DeadLetter[] }).deadLetters;
    };
    const letter = await eventually(async () => (await letters()).find((l) => l.logId === refused.id), 30_000, 500);
    expect(letter).toMatchObject({ sink: 'elasticsearch', source: { partition: 2, offset: '0' }, replayedAt: null });
    expect(letter.reason).toMatch(/metadata\.shape/);
    expect(letter.reason).toMatch(/parsing|parse/);

    // Postgres has it; the logs after it on the same partition are searchable.
    await eventually(async () => ((await pgCounts(pipeline.pool, resourceId)).rows === 1 ? true : undefined), 30_000, 500);
    await eventually(async () => ((await esCounts(pipeline, `${resourceId}-later`)).docs === 5 ? true : undefined), 30_000, 500);
    expect(await esCounts(pipeline, resourceId)).toEqual({ docs: 0, ids: 0 });

    // The CLI sees the same dead letter.
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'dlq', 'list', '--json', '--sink', 'elasticsearch'], {
      env: { ...process.env, ...pipeline.env },
    });
    expect((JSON.parse(stdout) as DeadLetter[]).map((l) => l.logId)).toContain(refused.id);

    // The fix: the index's mapping is made right (a field's type cannot change in place, so the index is made anew).
    await pipeline.es.indices.delete({ index: conflictIndex });
    await pipeline.es.indices.create({ index: conflictIndex, mappings: { properties: { metadata: { properties: { shape: { type: 'keyword' } } } } } });

    const replay = await fetch(`${QUERY_URL}/api/admin/dlq/replay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ partition: letter.partition, offset: letter.offset }),
    });
    expect(replay.status, await replay.clone().text()).toBe(200);
    expect(await replay.json()).toEqual({ replayed: 1, skipped: 0 });

    await eventually(async () => ((await esCounts(pipeline, resourceId)).docs === 1 ? true : undefined), 30_000, 500);
    const doc = await pipeline.es.get<{ metadata: { shape: string } }>({ index: conflictIndex, id: refused.id });
    expect(doc._source?.metadata.shape).toBe('round');
    expect(await pgCounts(pipeline.pool, resourceId)).toEqual({ rows: 1, ids: 1 });
    expect((await letters()).find((l) => l.logId === refused.id)?.replayedAt).toEqual(expect.any(String));

    // Replaying "all" afterwards does not send it again.
    const all = await fetch(`${QUERY_URL}/api/admin/dlq/replay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ all: true }),
    });
    expect(await all.json()).toMatchObject({ replayed: 0 });
  });

  it('answers 404 for a dead letter that does not exist and 400 for a malformed request', async () => {
    const post = (body: unknown) => fetch(`${QUERY_URL}/api/admin/dlq/replay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ partition: 5, offset: 999_999 })).status).toBe(404);
    expect((await post({ partition: -1 })).status).toBe(400);
  });
});
