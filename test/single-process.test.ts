import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstallation, type Installation } from './installation.ts';
import { eventually, INGESTER_URL, QUERY_URL, spawnAll } from './roles.ts';

const example = JSON.parse(readFileSync(new URL('./fixtures/example_log.json', import.meta.url), 'utf8'));

describe('logflow all --single-process', () => {
  let installation: Installation;
  let all: ChildProcess;
  const output: string[] = [];

  beforeAll(async () => {
    installation = await createInstallation('single-process');
    all = spawnAll(installation.env, { args: ['--single-process'] });
    for (const stream of [all.stdout!, all.stderr!]) stream.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  });

  afterAll(async () => {
    if (all.exitCode === null) all.kill('SIGKILL');
    await installation?.close();
  });

  it('runs every role in one process: a posted log is in both stores and searchable, and SIGTERM stops it cleanly', async () => {
    await eventually(async () => ((await fetch(`${INGESTER_URL}/readyz`).catch(() => undefined))?.ok ? true : undefined), 90_000, 500).catch((error: unknown) => {
      throw new Error(`not ready: ${String(error)}\n${output.join('')}`);
    });
    // Every role logged its start from this one process.
    const startLines = () =>
      output
        .join('')
        .split('\n')
        .filter((line) => line.includes('"msg":"started"'))
        .map((line) => JSON.parse(line) as { name: string; pid: number });
    const started = await eventually(async () => (startLines().length >= 5 ? startLines() : undefined), 90_000, 500);
    expect(started.map((s) => s.name).sort()).toEqual(['es-sink', 'ingester', 'pg-sink', 'query', 'reconciler']);
    expect(new Set(started.map((s) => s.pid))).toEqual(new Set([all.pid]));

    const resourceId = `single-process-${installation.env.KAFKA_GROUP_PREFIX}`;
    const posted = await fetch(`${INGESTER_URL}/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...example, resourceId }),
    });
    expect(posted.status).toBe(202);
    const { id } = (await posted.json()) as { id: string };

    await installation.settled(1, 60_000);
    const row = await installation.pool.query<{ resource_id: string }>('SELECT resource_id FROM logs WHERE id = $1', [id]);
    expect(row.rows).toEqual([{ resource_id: resourceId }]);
    const found = await eventually(async () => {
      const answer = (await (await fetch(`${QUERY_URL}/api/logs/search?resourceId=${encodeURIComponent(resourceId)}&from=2023-09-15T00:00:00Z`)).json()) as {
        hits?: { id: string; message: string }[];
      };
      return answer.hits?.length ? answer.hits : undefined;
    }, 20_000);
    expect(found.map((hit) => [hit.id, hit.message])).toEqual([[id, example.message]]);

    const exited = new Promise<number | null>((resolve) => all.once('exit', (code) => resolve(code)));
    all.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
