import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createPool, type Pool } from '@logflow/core';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { isolatedPipeline, logRecord, pgCounts, sinkEnv, type IsolatedPipeline } from './sink-fixtures.ts';
import { TEST_READER_PASSWORD } from './reader-password.ts';
import { eventually, startRole, type RunningRole } from './roles.ts';

const CLI = fileURLToPath(new URL('../cli/logflow.mjs', import.meta.url));

/** The SQL examples of docs/sql.md, by the title in their first comment line. */
function documentedQueries(): Map<string, string> {
  const page = readFileSync(new URL('../docs/sql.md', import.meta.url), 'utf8');
  const section = page.split('## Query your logs with SQL')[1]!.split(/\n## /)[0]!;
  const blocks = [...section.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return new Map(blocks.map((sql) => [/^-- (.*)$/m.exec(sql)![1]!, sql]));
}

describe('SQL access: the queries of docs/sql.md, as logflow_reader, on logs that went through the pipeline', () => {
  let pipeline: IsolatedPipeline;
  let pgSink: RunningRole;
  let reader: Pool;
  const queries = documentedQueries();
  let ids: { a: string; b: string; trace: string; parent: string };

  beforeAll(async () => {
    pipeline = await isolatedPipeline('sql');
    // The run's own reader password (see global-setup): another would lock out the other files' SQL consoles.
    const password = TEST_READER_PASSWORD;
    await promisify(execFile)(process.execPath, [CLI, 'migrate'], { env: { ...process.env, LOGFLOW_READER_PASSWORD: password } });
    const url = new URL(pipeline.config.postgres.url);
    url.username = 'logflow_reader';
    url.password = password;
    reader = createPool(pipeline.config, createLogger({ logLevel: 'warn' }, 'test'), { name: 'logflow-test-reader', max: 1, connectionString: url.toString() });
    pgSink = await startRole('pg-sink', sinkEnv(pipeline, 0));

    const run = pipeline.runId;
    ids = { a: `server-1234-${run}`, b: `server-5678-${run}`, trace: `abc-xyz-123-${run}`, parent: `server-0987-${run}` };
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
    const parent = { parentResourceId: ids.parent };
    await pipeline.produce([
      logRecord({ resourceId: ids.a, traceId: ids.trace, spanId: 'span-1', level: 'info', message: 'checkout started', timestamp: minutesAgo(20), metadata: parent }),
      logRecord({ resourceId: ids.b, traceId: ids.trace, spanId: 'span-2', level: 'warn', message: 'stock low', timestamp: minutesAgo(19.5) }),
      logRecord({ resourceId: ids.b, traceId: ids.trace, spanId: 'span-3', level: 'error', message: 'Disk full', timestamp: minutesAgo(19) }),
      logRecord({ resourceId: ids.a, traceId: ids.trace, spanId: 'span-4', level: 'error', message: 'checkout failed', timestamp: minutesAgo(18), metadata: parent }),
      ...[10, 9, 8].map((m) => logRecord({ resourceId: ids.a, level: 'error', message: 'Failed to connect to DB', timestamp: minutesAgo(m), metadata: parent })),
      logRecord({ resourceId: ids.a, level: 'fatal', message: 'Out of memory', timestamp: minutesAgo(7) }),
      ...[5, 4, 3, 2, 1].map((m) => logRecord({ resourceId: ids.a, level: 'info', message: 'request served', timestamp: minutesAgo(m) })),
      logRecord({ resourceId: ids.b, level: 'error', message: 'Disk full', timestamp: minutesAgo(2) }),
    ]);
    await eventually(async () => ((await pgCounts(pipeline.pool, ids.a)).rows === 11 && (await pgCounts(pipeline.pool, ids.b)).rows === 3 ? true : undefined), 30_000, 500);
  });

  afterAll(async () => {
    await pgSink?.stop();
    await reader?.end();
    await pipeline?.close();
  });

  const run = async (title: string) => {
    const sql = queries.get(title);
    expect(sql, `docs/sql.md query "${title}"`).toBeDefined();
    const ours = sql!.replaceAll("'server-1234'", `'${ids.a}'`).replaceAll("'abc-xyz-123'", `'${ids.trace}'`).replaceAll('"server-0987"', `"${ids.parent}"`);
    return (await reader.query(ours)).rows as Record<string, unknown>[];
  };
  const mine = (rows: Record<string, unknown>[]) => rows.filter((r) => r.resource_id === ids.a || r.resource_id === ids.b);

  it('has at least five example queries', () => {
    expect(queries.size).toBeGreaterThanOrEqual(5);
  });

  it('errors per resource per hour', async () => {
    const rows = mine(await run('Errors per resource per hour, last 24 hours'));
    const total = (resource: string) => rows.filter((r) => r.resource_id === resource).reduce((sum, r) => sum + Number(r.errors), 0);
    expect(total(ids.a)).toBe(5);
    expect(total(ids.b)).toBe(2);
    expect(rows.every((r) => r.hour instanceof Date && r.hour.getUTCMinutes() === 0)).toBe(true);
  });

  it('one trace in order', async () => {
    const rows = await run('One trace, in order');
    expect(rows.map((r) => r.span_id)).toEqual(['span-1', 'span-2', 'span-3', 'span-4']);
    expect(rows.map((r) => r.resource_id)).toEqual([ids.a, ids.b, ids.b, ids.a]);
  });

  it('top messages of one resource in the last hour', async () => {
    const rows = await run('Top messages of one resource in the last hour');
    expect(rows.slice(0, 2).map((r) => [r.message, Number(r.logs)])).toEqual([
      ['request served', 5],
      ['Failed to connect to DB', 3],
    ]);
    expect(rows).toHaveLength(5);
  });

  it('resources with errors today and their last error', async () => {
    const rows = mine(await run('Resources with errors today, the noisiest first, and their last error'));
    expect(rows.map((r) => [r.resource_id, Number(r.errors), r.last_message])).toEqual([
      [ids.a, 5, 'Out of memory'],
      [ids.b, 2, 'Disk full'],
    ]);
  });

  it('logs under one parent resource', async () => {
    const rows = await run('Logs of everything running under one parent resource (metadata is jsonb)');
    expect(rows).toHaveLength(5);
    expect(new Set(rows.map((r) => r.resource_id))).toEqual(new Set([ids.a]));
  });

  it('levels per resource', async () => {
    const rows = mine(await run('Levels per resource over the last day'));
    expect(rows.map((r) => [r.resource_id, Number(r.errors), Number(r.warnings), Number(r.total)])).toEqual([
      [ids.a, 5, 0, 11],
      [ids.b, 2, 1, 3],
    ]);
  });

  it('gives logflow_reader nothing but reading', async () => {
    await expect(reader.query('DELETE FROM logs WHERE false')).rejects.toThrow(/read-only|permission denied/);
    await expect(reader.query('SELECT * FROM sink_offsets')).rejects.toThrow(/permission denied/);
    await expect(reader.query('CREATE TABLE mine (a int)')).rejects.toThrow(/read-only|permission denied/);
  });
});
