import { createLogger, createRedis, ledgerKey, loadConfig, readLedger, type ReconcileResult, sampleTopicEnd, setReaderPassword, sinkPositions, sinksPassed } from '@logflow/core';
import { TEST_READER_PASSWORD } from './reader-password.ts';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstallation, runJobThroughApi, type Installation } from './installation.ts';
import { isoAt, startQueryPipeline, type QueryPipeline } from './query-pipeline.ts';
import { createApiKey, eventually, INGESTER_URL, QUERY_URL, revokeApiKey, spawnAll, startRole, type CreatedApiKey, type RunningRole } from './roles.ts';

/**
 * Issue 15's holes in integrity and availability, against the real engines: a log rewritten
 * by a re-sent id, one SQL statement or search taking the query service (or Elasticsearch)
 * down for everyone, one key's slow SQL blocking the others, a scoped key counting hidden
 * rows through EXPLAIN, and the per-process tail cap passed by concurrent requests.
 */

const post = async (url: string, body: unknown, key?: string) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key && { authorization: `Bearer ${key}` }) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: any = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Plain text stays a string.
  }
  return { status: response.status, body: parsed };
};

describe('identity: a re-sent id never rewrites a stored log, in either store', () => {
  let lf: Installation;
  const roles: RunningRole[] = [];

  beforeAll(async () => {
    lf = await createInstallation('identity');
    // The ingester first: it creates the topics the sinks subscribe to.
    roles.push(await startRole('ingester', lf.env));
    roles.push(...(await Promise.all(['es-sink', 'pg-sink', 'reconciler', 'query'].map((role) => startRole(role, lf.env)))));
  });

  afterAll(async () => {
    await Promise.all(roles.map((role) => role.stop()));
    await lf?.close();
  });

  /** Both sinks have handled everything the topic holds now. */
  const sinksCaughtUp = async () => {
    const admin = lf.kafka.admin();
    await admin.connect();
    try {
      const end = await sampleTopicEnd(admin, lf.config.kafka.topic);
      await eventually(
        async () => {
          const { es, pg } = await sinkPositions(admin, lf.pool, lf.config);
          return sinksPassed(end, es, pg) ? true : undefined;
        },
        60_000,
        250,
      );
    } finally {
      await admin.disconnect();
    }
  };

  it('keeps the first write of an id in search and in Postgres (same timestamp or another), and the reconciler finds nothing to repair', async () => {
    const id = randomUUID();
    const timestamp = '2026-01-05T10:00:00.000Z';
    const original = { id, level: 'info', message: 'the original message', timestamp, resourceId: 'identity-api' };
    expect((await post(`${INGESTER_URL}/logs`, original)).status).toBe(202);
    await lf.settled(1);

    // A client re-sends the id with another message: under the same timestamp, then under another.
    const sameTime = await post(`${INGESTER_URL}/logs`, [{ ...original, message: 'rewritten, same timestamp', level: 'error' }]);
    const otherTime = await post(`${INGESTER_URL}/logs`, [{ ...original, message: 'rewritten, another timestamp', timestamp: '2026-01-06T11:00:00.000Z' }]);
    expect([sameTime.status, otherTime.status]).toEqual([202, 202]);
    expect([sameTime.body.ids, otherTime.body.ids]).toEqual([[id], [id]]);
    await sinksCaughtUp();

    await lf.es.indices.refresh({ index: lf.names.readAlias });
    const found = await lf.es.search<Record<string, unknown>>({ index: lf.names.readAlias, query: { ids: { values: [id] } } });
    expect(found.hits.hits.map((hit) => hit._source)).toEqual([expect.objectContaining({ message: 'the original message', level: 'info', timestamp })]);
    const rows = await lf.pool.query('SELECT message, level, "timestamp" FROM logs WHERE id = $1', [id]);
    expect(rows.rows).toEqual([{ message: 'the original message', level: 'info', timestamp: new Date(timestamp) }]);
    const byId = await fetch(`${QUERY_URL}/api/logs/${id}`);
    expect(((await byId.json()) as { message: string }).message).toBe('the original message');

    // Each store counted one log created, though the ingester accepted three.
    const redis = createRedis(lf.config, createLogger({ logLevel: 'warn' }, 'test'));
    const ledger = await readLedger(redis, ledgerKey(lf.config));
    redis.disconnect();
    expect(ledger.elasticsearchIndexed).toBe(1);
    const written = await lf.pool.query<{ n: string }>('SELECT sum(logs_written) AS n FROM sink_offsets WHERE topic = $1', [lf.config.kafka.topic]);
    expect(Number(written.rows[0]!.n)).toBe(1);

    // Past the reconciler's settle time (2 s here), every receipt lies below its watermark.
    await sleep(2_500);
    const reconciled = await runJobThroughApi<ReconcileResult>(QUERY_URL, 'reconcile');
    expect(reconciled.state).toBe('completed');
    expect(reconciled.result).toMatchObject({ logsChecked: 1, missingFound: 0, outdatedReplaced: 0, twinsRemoved: 0, extraFound: 0 });
  });
});

describe('query service: no single request takes it, or the engines, down for everyone', () => {
  let pipeline: QueryPipeline;
  let admin: CreatedApiKey;
  let reader: CreatedApiKey;
  let otherReader: CreatedApiKey;
  let scoped: CreatedApiKey;
  const bullPrefix = `lftest-integrity-${Date.now()}`;

  const createKey = async (body: Record<string, unknown>): Promise<CreatedApiKey> => {
    const created = await post(`${QUERY_URL}/api/admin/keys`, body, admin.key);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body;
  };
  const sql = (key: CreatedApiKey, statement: string) => post(`${QUERY_URL}/api/sql`, { sql: statement }, key.key);

  beforeAll(async () => {
    pipeline = await startQueryPipeline('integrity', ['ingester', 'es-sink', 'pg-sink', 'query'], {
      LOGFLOW_AUTH: 'on',
      BULLMQ_PREFIX: bullPrefix,
      QUERY_SQL_TIMEOUT_MS: '60000',
      QUERY_TAIL_MAX_CONNECTIONS: '3',
      QUERY_MAX_TAILS_PER_KEY: '20',
    });
    // The reader login's password is shared by every installation on these engines: set it as the query service knows it.
    await setReaderPassword(pipeline.pool, TEST_READER_PASSWORD);
    admin = await createApiKey('admin', pipeline.env, 'integrity-admin');
    reader = await createKey({ name: 'reader', role: 'read' });
    otherReader = await createKey({ name: 'other-reader', role: 'read' });
    scoped = await createKey({ name: 'scoped', role: 'read', resourcePatterns: [`inside-${pipeline.run}`] });
    const ingest = await createKey({ name: 'ingest', role: 'ingest' });
    const logs = ['inside', 'outside', 'outside', 'outside'].map((where, i) => ({
      level: 'info',
      message: `log ${i}`,
      resourceId: `${where}-${pipeline.run}`,
      timestamp: isoAt(pipeline.base + i),
    }));
    expect((await post(`${INGESTER_URL}/logs`, logs, ingest.key)).status).toBe(202);
    await eventually(async () => {
      const { rows } = await pipeline.pool.query('SELECT count(*)::int AS n FROM logs WHERE resource_id LIKE $1', [`%-${pipeline.run}`]);
      return rows[0].n === logs.length ? true : undefined;
    }, 60_000);
    await pipeline.waitSearchable({ range: { timestamp: { gte: isoAt(pipeline.base), lt: isoAt(pipeline.base + 60_000) } } }, logs.length);
  });

  afterAll(async () => {
    // The roles stop even if the query service is gone (as it was before the SQL fix).
    for (const key of [reader, otherReader, scoped]) {
      if (key) await fetch(`${QUERY_URL}/api/admin/keys/${key.apiKey.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${admin.key}` } }).catch(() => undefined);
    }
    if (admin) await revokeApiKey(admin.apiKey.id, pipeline.env).catch(() => undefined);
    await pipeline?.close();
  });

  it('answers a 600 MB SQL value cut to the value cap, caps the bytes of an answer, and stays up', async () => {
    const huge = await sql(reader, "SELECT repeat('x', 600000000) AS big, 1 AS n");
    expect(huge.status, JSON.stringify(huge.body).slice(0, 300)).toBe(200);
    const maxValue = loadConfig().query.sql.maxValueBytes;
    expect(huge.body).toMatchObject({ columns: [{ name: 'big' }, { name: 'n' }], rowCount: 1, valuesTruncated: 1, truncated: false });
    expect(huge.body.rows[0]).toEqual(['x'.repeat(maxValue), 1]);

    const wide = await sql(reader, "SELECT g, repeat('y', 1000000) FROM generate_series(1, 300) g");
    expect(wide.status).toBe(200);
    expect(wide.body).toMatchObject({ truncated: true, truncatedBy: 'bytes' });
    expect(wide.body.rowCount).toBeLessThan(300);
    expect(JSON.stringify(wide.body).length).toBeLessThan(loadConfig().query.sql.maxResponseBytes * 1.1);

    // Postgres quotes the whole value in this error: 600 MB, which no cut inside Postgres can shorten.
    const hugeError = await sql(reader, "SELECT repeat('x', 600000000)::int");
    expect(hugeError.status, JSON.stringify(hugeError.body).slice(0, 300)).toBe(400);
    expect(hugeError.body.error.code).toBe('sql_error');

    expect((await sql(reader, 'SELECT 1 AS one')).body.rows).toEqual([[1]]);
  });

  it('refuses a search of more regex clauses than the cap with 400 invalid_query, at once', async () => {
    const q = Array.from({ length: 20 }, (_, i) => `message:/.*x[a-z]{10}y${i}.*/`).join(' OR ');
    const search = await fetch(`${QUERY_URL}/api/logs/search?${new URLSearchParams({ q })}`, { headers: { authorization: `Bearer ${reader.key}` } });
    const body = (await search.json()) as any;
    expect(search.status, JSON.stringify(body)).toBe(400);
    expect(body.error).toMatchObject({ code: 'invalid_query', details: [{ field: 'q', rule: 'max_pattern_clauses' }] });
    const few = await fetch(`${QUERY_URL}/api/logs/search?${new URLSearchParams({ q: 'message:/log.*/ OR message:/x.*/' })}`, {
      headers: { authorization: `Bearer ${reader.key}` },
    });
    expect(few.status).toBe(200);
  });

  it("runs four slow statements of one key without holding back another key's, and refuses that key's fifth with 429", async () => {
    const marker = `sleep_${pipeline.run}`;
    const slow = Array.from({ length: 4 }, () => sql(reader, `SELECT pg_sleep(9.5) AS ${marker}`));
    await eventually(
      async () => {
        const { rows } = await pipeline.pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE $1`, [`%AS ${marker}%`]);
        return rows[0].n >= 4 ? true : undefined;
      },
      10_000,
      50,
    );
    const other = await sql(otherReader, 'SELECT 1 AS one');
    expect(other.status, JSON.stringify(other.body)).toBe(200);
    const fifth = await sql(reader, 'SELECT 1 AS one');
    expect(fifth.status, JSON.stringify(fifth.body)).toBe(429);
    expect(fifth.body.error.code).toBe('too_many_sql_statements');
    expect((await Promise.all(slow)).map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect((await sql(reader, 'SELECT 1 AS one')).status).toBe(200);
  });

  it('refuses EXPLAIN and statistics to a key limited to resources, which would count the rows it cannot see', async () => {
    const visible = await sql(scoped, 'SELECT count(*)::int AS n FROM logs');
    expect(visible.body.rows).toEqual([[1]]);
    for (const statement of [
      `EXPLAIN ANALYZE SELECT * FROM logs WHERE resource_id LIKE '%-${pipeline.run}'`,
      "SELECT reltuples FROM pg_class WHERE relname = 'logs'",
      "SELECT n_live_tup FROM pg_stat_user_tables WHERE relname LIKE 'logs%'",
      "SELECT most_common_vals::text FROM pg_stats WHERE tablename = 'logs'",
    ]) {
      const refused = await sql(scoped, statement);
      expect(refused.status, `${statement}: ${JSON.stringify(refused.body)}`).toBe(403);
      expect(refused.body.error.code).toBe('sql_not_allowed');
    }
    // A key that sees every log may still EXPLAIN.
    expect((await sql(reader, 'EXPLAIN SELECT * FROM logs')).status).toBe(200);
  });

  it('opens exactly as many tails as the per-process cap when requests arrive together', async () => {
    const aborts = Array.from({ length: 8 }, () => new AbortController());
    const responses = await Promise.all(aborts.map((abort) => fetch(`${QUERY_URL}/api/logs/tail`, { headers: { authorization: `Bearer ${reader.key}` }, signal: abort.signal })));
    for (const abort of aborts) abort.abort();
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429, 429, 429]);
  });
});

describe('launcher: one role exiting does not stop the others', () => {
  let lf: Installation;
  const answers = async (url: string) => {
    try {
      return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok;
    } catch {
      return false;
    }
  };
  /** The launcher's role processes, by role, from /proc. */
  const rolePids = (launcher: number): Map<string, number> => {
    const children = readFileSync(`/proc/${launcher}/task/${launcher}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    const roles = new Map<string, number>();
    for (const pid of children) {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      roles.set(argv[argv.indexOf(ENTRY) + 1]!, pid);
    }
    return roles;
  };
  const ENTRY = fileURLToPath(new URL('../cli/logflow.mjs', import.meta.url));

  beforeAll(async () => {
    lf = await createInstallation('launcher');
  });

  afterAll(async () => {
    await lf?.close();
  });

  it('restarts a killed query service while the ingester keeps answering, and stops every role on SIGTERM', async () => {
    const output: string[] = [];
    const launcher = spawnAll({ ...lf.env, LISTEN_HOST: '127.0.0.1' });
    for (const stream of [launcher.stdout, launcher.stderr]) stream.on('data', (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n')));
    const exited = new Promise<number | null>((resolve) => launcher.once('exit', (code) => resolve(code)));
    const ingesterUp = `${INGESTER_URL}/healthz`;
    const queryUp = `${QUERY_URL}/api/docs/json`;
    try {
      await eventually(async () => ((await answers(ingesterUp)) && (await answers(queryUp)) ? true : undefined), 90_000, 500).catch((error: Error) => {
        throw new Error(`${error.message}: the roles did not start:\n${output.slice(-30).join('\n')}`);
      });
      const before = rolePids(launcher.pid!);
      expect([...before.keys()].sort()).toEqual(['es-sink', 'ingester', 'pg-sink', 'query', 'reconciler']);

      process.kill(before.get('query')!, 'SIGKILL');
      let ingesterMisses = 0;
      let ingesterChecks = 0;
      await eventually(
        async () => {
          ingesterChecks++;
          if (!(await answers(ingesterUp))) ingesterMisses++;
          const now = rolePids(launcher.pid!).get('query');
          return now !== undefined && now !== before.get('query') && (await answers(queryUp)) ? true : undefined;
        },
        60_000,
        100,
      );
      expect({ ingesterMisses, checked: ingesterChecks > 0 }).toEqual({ ingesterMisses: 0, checked: true });
      const after = rolePids(launcher.pid!);
      for (const role of ['ingester', 'es-sink', 'pg-sink', 'reconciler']) expect(after.get(role), role).toBe(before.get(role));
      const restart = output.filter((line) => line.includes('a role exited unexpectedly')).map((line) => JSON.parse(line));
      expect(restart).toEqual([expect.objectContaining({ level: 50, role: 'query', signal: 'SIGKILL', restarts: 1 })]);

      launcher.kill('SIGTERM');
      expect(await exited).toBe(0);
      for (const pid of after.values()) expect(() => process.kill(pid, 0), `role process ${pid} still runs`).toThrow();
    } finally {
      if (launcher.exitCode === null) launcher.kill('SIGTERM');
      await exited;
    }
  }, 240_000);
});
