import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setReaderPassword } from '@logflow/core';
import { TEST_READER_PASSWORD } from './reader-password.ts';
import { isoAt, QUERY_URL, runRange, startQueryPipeline, type QueryPipeline } from './query-pipeline.ts';
import { eventually, startRole, TEST_PORTS } from './roles.ts';

/** Ten logs, one second apart from `base`; tests refer to them by index. */
function dataset(run: string, base: number) {
  const server = (n: string) => `${run}-server-${n}`;
  const logs = [
    {
      level: 'error',
      message: 'Failed to connect to DB',
      resourceId: server('1234'),
      traceId: `${run}-trace-a`,
      spanId: `${run}-span-1`,
      commit: 'c0ffee1',
      metadata: { parentResourceId: server('0987') },
    },
    { level: 'error', message: 'Connection timed out after 30 s', resourceId: server('12345'), traceId: `${run}-trace-b`, commit: 'c0ffee2' },
    { level: 'warn', message: 'Failed to write cache entry', resourceId: server('1299'), traceId: `${run}-trace-a` },
    { level: 'info', message: 'Request served in 12 ms', resourceId: server('1234'), spanId: `${run}-span-2` },
    { level: 'debug', message: 'Failed to connect: retrying', resourceId: `${run}-worker-7` },
    { level: 'fatal', message: 'Out of memory; failed hard', resourceId: server('1234'), commit: 'deadbee' },
    { level: 'info', message: 'to connect failed', resourceId: `${run}-worker-7` },
    { level: 'error', message: 'Timed out waiting for lock', resourceId: server('12345'), metadata: { parentResourceId: server('1234') } },
    { level: 'info', message: 'Connection server-1234 established', resourceId: `${run}-worker-8` },
    { level: 'trace', message: 'heartbeat' },
  ];
  return logs.map((log, i) => ({ ...log, timestamp: isoAt(base + i * 1_000) }));
}

interface Hit {
  id: string;
  message: string;
  timestamp: string;
  highlight?: string[];
}

describe('query service over the real pipeline', () => {
  let pipeline: QueryPipeline;
  let ids: string[];
  let server: (n: string) => string;

  /** Indices (into the dataset) of the logs a search over this run's range finds, in the answer's order. */
  async function found(params: Record<string, string | string[]>): Promise<number[]> {
    const { status, body } = await pipeline.get<{ hits: Hit[] }>('/api/logs/search', { ...runRange(pipeline), sort: 'asc', ...params });
    if (status !== 200) throw new Error(`search answered ${status}: ${JSON.stringify(body)}`);
    return body.hits.map((hit) => ids.indexOf(hit.id));
  }

  beforeAll(async () => {
    pipeline = await startQueryPipeline('query-search', ['ingester', 'es-sink', 'pg-sink', 'query']);
    await setReaderPassword(pipeline.pool, TEST_READER_PASSWORD);
    server = (n) => `${pipeline.run}-server-${n}`;
    ids = await pipeline.ingest(dataset(pipeline.run, pipeline.base));
    const range = runRange(pipeline);
    await pipeline.waitSearchable({ range: { timestamp: { gte: range.from, lt: range.to } } }, ids.length);
  });

  afterAll(async () => {
    await pipeline?.close();
  });

  it('filters on one level or several', async () => {
    expect(await found({ level: 'error' })).toEqual([0, 1, 7]);
    expect(await found({ level: 'error,FATAL' })).toEqual([0, 1, 5, 7]);
    expect(await found({ level: ['warn', 'debug'] })).toEqual([2, 4]);
  });

  it('matches keyword fields exactly: server-1234 never matches server-12345 unless asked', async () => {
    expect(await found({ resourceId: server('1234') })).toEqual([0, 3, 5]);
    expect(await found({ resourceId: `${server('1234')}*` })).toEqual([0, 1, 3, 5, 7]);
    expect(await found({ resourceId: `${server('12')}??` })).toEqual([0, 2, 3, 5]);
    expect(await found({ resourceId: `/${server('12')}[0-9]{2}/` })).toEqual([0, 2, 3, 5]);
    expect(await found({ resourceId: [server('1299'), server('12345')] })).toEqual([1, 2, 7]);
  });

  it('filters on traceId, spanId, commit and metadata.parentResourceId', async () => {
    expect(await found({ traceId: `${pipeline.run}-trace-a` })).toEqual([0, 2]);
    expect(await found({ spanId: `${pipeline.run}-span-2` })).toEqual([3]);
    expect(await found({ commit: 'c0ffee*' })).toEqual([0, 1]);
    expect(await found({ commit: '/DEAD.*/i' })).toEqual([5]);
    expect(await found({ 'metadata.parentResourceId': server('0987') })).toEqual([0]);
    expect(await found({ 'metadata.parentResourceId': server('1234') })).toEqual([7]);
  });

  it('matches the phrase "Failed to connect" as a phrase, and its words in any order without quotes', async () => {
    expect(await found({ message: '"Failed to connect"' })).toEqual([0, 4]);
    expect(await found({ message: 'Failed to connect' })).toEqual([0, 4, 6]);
    expect(await found({ q: '"Failed to connect"' })).toEqual([0, 4]);
    expect(await found({ message: '/.*[Tt]imed out.*/' })).toEqual([1, 7]);
  });

  it('combines filters', async () => {
    expect(await found({ level: 'error', resourceId: `${server('1234')}*` })).toEqual([0, 1, 7]);
    expect(await found({ level: 'error', resourceId: `${server('1234')}*`, q: 'NOT "timed out"' })).toEqual([0]);
    expect(await found({ level: ['info', 'debug'], message: 'connect' })).toEqual([4, 6]);
  });

  it('keeps the time range edges: from inclusive, to exclusive, to the millisecond', async () => {
    const at = (seconds: number, ms = 0) => isoAt(pipeline.base + seconds * 1_000 + ms);
    expect(await found({ from: at(3), to: at(5) })).toEqual([3, 4]);
    expect(await found({ from: at(3, 1), to: at(5) })).toEqual([4]);
    expect(await found({ from: at(3), to: at(5, 1) })).toEqual([3, 4, 5]);
    expect(await found({ from: at(3), to: at(3, 1) })).toEqual([3]);
    const { status, body } = await pipeline.get('/api/logs/search', { from: at(5), to: at(3) });
    expect(status).toBe(400);
    expect(body.error.message).toBe('to: must be later than from');
  });

  it('understands the query language: the issue example, groups, negation, exists, wildcards, regexes, ranges', async () => {
    const q = (query: string) => found({ q: query });
    expect(await q(`level:error AND resourceId:${server('1')}* AND NOT "timed out"`)).toEqual([0]);
    expect(await q('level:(warn OR fatal)')).toEqual([2, 5]);
    expect(await q('level:warn OR level:fatal AND commit:deadbee')).toEqual([2, 5]);
    expect(await q(`-level:info AND resourceId:${pipeline.run}-worker-*`)).toEqual([4]);
    expect(await q('NOT resourceId:*')).toEqual([9]);
    expect(await q('server-1234')).toEqual([8]);
    expect(await q('conn*')).toEqual([0, 1, 4, 6, 8]);
    expect(await q('message:/fail.*/i')).toEqual([0, 2, 4]);
    expect(await q(`timestamp >= "${isoAt(pipeline.base + 7_000)}"`)).toEqual([7, 8, 9]);
    expect(await q(`timestamp:["${isoAt(pipeline.base + 2_000)}" TO "${isoAt(pipeline.base + 4_000)}"}`)).toEqual([2, 3]);
    expect(await q(`metadata.parentResourceId:${server('0987')} OR spanId:${pipeline.run}-span-2`)).toEqual([0, 3]);
  });

  it('answers a query language syntax error with 400 and its position', async () => {
    const { status, body } = await pipeline.get('/api/logs/search', { q: 'level:error AND (resourceId:x OR' });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 'invalid_query', details: [{ field: 'q', position: 32 }] });
    expect(body.error.message).toMatch(/^q: expected a clause after OR .* at position 32$/);
    const unknown = await pipeline.get('/api/logs/search', { q: 'level:error lvl:warn' });
    expect(unknown.body.error.details[0]).toMatchObject({ field: 'q', position: 12 });
    expect(unknown.body.error.message).toContain("unknown field 'lvl'");
  });

  it('answers invalid parameters with 400 naming them, and a regex Elasticsearch refuses with 400', async () => {
    const level = await pipeline.get('/api/logs/search', { level: 'loud' });
    expect(level.status).toBe(400);
    expect(level.body.error.details[0].field).toBe('querystring.level.0');
    const size = await pipeline.get('/api/logs/search', { size: '1001' });
    expect(size.body.error.details[0].field).toBe('querystring.size');
    const cursor = await pipeline.get('/api/logs/search', { cursor: 'garbage' });
    expect(cursor.body.error.message).toMatch(/^cursor: /);
    const regex = await pipeline.get('/api/logs/search', { resourceId: '/server-[0-9/' });
    expect(regex.status).toBe(400);
    expect(regex.body.error.code).toBe('invalid_query');
  });

  it('sorts either way, pages with a cursor and highlights the message', async () => {
    expect(await found({ sort: 'desc' })).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    const first = await pipeline.get('/api/logs/search', { ...runRange(pipeline), size: '4', sort: 'asc' });
    expect(first.body).toMatchObject({ total: 10, totalRelation: 'eq' });
    const second = await pipeline.get('/api/logs/search', { ...runRange(pipeline), size: '4', sort: 'asc', cursor: first.body.nextCursor });
    const third = await pipeline.get('/api/logs/search', { ...runRange(pipeline), size: '4', sort: 'asc', cursor: second.body.nextCursor });
    expect([...first.body.hits, ...second.body.hits, ...third.body.hits].map((h: Hit) => ids.indexOf(h.id))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(third.body.nextCursor).toBeNull();
    // A gap wider than the time window the cursor suggests: the page is asked for again without it.
    const at = (seconds: number) => isoAt(pipeline.base + seconds * 1_000);
    const gap = { ...runRange(pipeline), q: `NOT timestamp:["${at(2)}" TO "${at(8)}"]`, size: '2', sort: 'asc' };
    const beforeGap = await pipeline.get('/api/logs/search', gap);
    const afterGap = await pipeline.get('/api/logs/search', { ...gap, cursor: beforeGap.body.nextCursor });
    expect([...beforeGap.body.hits, ...afterGap.body.hits].map((h: Hit) => ids.indexOf(h.id))).toEqual([0, 1, 9]);
    expect(afterGap.body).toMatchObject({ total: 3, nextCursor: null });
    const highlighted = await pipeline.get<{ hits: Hit[] }>('/api/logs/search', { ...runRange(pipeline), q: '"Failed to connect"', sort: 'asc' });
    expect(highlighted.body.hits[0]!.highlight).toEqual(['<mark>Failed to connect</mark> to DB']);
  });

  it('takes the same search as a POST with a JSON body', async () => {
    const response = await fetch(`${QUERY_URL}/api/logs/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...runRange(pipeline), level: ['error', 'fatal'], resourceId: [server('1234')], sort: 'asc', highlight: false }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { hits: Hit[] };
    expect(body.hits.map((h) => ids.indexOf(h.id))).toEqual([0, 5]);
  });

  it('counts over time split by level, with empty buckets, in 50 to 100 bars', async () => {
    const { status, body } = await pipeline.get('/api/logs/histogram', runRange(pipeline));
    expect(status).toBe(200);
    expect(body).toMatchObject({ interval: '1s', intervalMs: 1_000, total: 10, from: isoAt(pipeline.base) });
    expect(body.buckets).toHaveLength(60);
    expect(body.buckets[0]).toEqual({ start: isoAt(pipeline.base), count: 1, levels: { error: 1 } });
    expect(body.buckets[5]).toEqual({ start: isoAt(pipeline.base + 5_000), count: 1, levels: { fatal: 1 } });
    expect(body.buckets[30]).toEqual({ start: isoAt(pipeline.base + 30_000), count: 0, levels: {} });
    // A range ending just after the last log, off any bucket edge, still counts that log.
    const tight = await pipeline.get('/api/logs/histogram', { from: isoAt(pipeline.base), to: isoAt(pipeline.base + 9_001) });
    expect(tight.body).toMatchObject({ interval: '100ms', total: 10 });
    expect(tight.body.buckets).toHaveLength(91);
    expect(tight.body.buckets.at(-1)).toEqual({ start: isoAt(pipeline.base + 9_000), count: 1, levels: { trace: 1 } });
    const errors = await pipeline.get('/api/logs/histogram', { ...runRange(pipeline), level: 'error' });
    expect(errors.body.buckets.filter((b: { count: number }) => b.count > 0).map((b: { start: string }) => b.start)).toEqual([0, 1, 7].map((s) => isoAt(pipeline.base + s * 1_000)));
  });

  it('lists the top values of a field for the query', async () => {
    const { status, body } = await pipeline.get('/api/logs/fields/resourceId/top', { ...runRange(pipeline), size: '2' });
    expect(status).toBe(200);
    expect(body).toEqual({
      field: 'resourceId',
      total: 10,
      totalRelation: 'eq',
      values: [
        { value: server('1234'), count: 3 },
        { value: server('12345'), count: 2 },
      ],
      otherCount: 4,
      missingCount: 1,
    });
    const levels = await pipeline.get('/api/logs/fields/level/top', { ...runRange(pipeline), q: 'NOT level:info' });
    expect(levels.body.values).toEqual([
      { value: 'error', count: 3 },
      { value: 'debug', count: 1 },
      { value: 'fatal', count: 1 },
      { value: 'trace', count: 1 },
      { value: 'warn', count: 1 },
    ]);
    expect((await pipeline.get('/api/logs/fields/nope/top')).status).toBe(400);
  });

  it('gets one log by id, and its neighbours from the same resourceId in time order', async () => {
    const one = await pipeline.get(`/api/logs/${ids[3]}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: ids[3], message: 'Request served in 12 ms', resourceId: server('1234') });
    const context = await pipeline.get(`/api/logs/${ids[3]}/context`, { before: '5', after: '5' });
    expect(context.body.log.id).toBe(ids[3]);
    expect(context.body.before.map((l: Hit) => l.id)).toEqual([ids[0]]);
    expect(context.body.after.map((l: Hit) => l.id)).toEqual([ids[5]]);
    const missing = await pipeline.get('/api/logs/00000000-0000-7000-8000-000000000000');
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'log_not_found' } } });
  });

  it('runs read-only SQL as logflow_reader over the same logs', async () => {
    const sql = async (statement: string, extra: Record<string, unknown> = {}) => {
      const response = await fetch(`${QUERY_URL}/api/sql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sql: statement, ...extra }),
      });
      return { status: response.status, body: (await response.json()) as any };
    };
    const range = runRange(pipeline);
    const rows = await sql(`SELECT id, level, current_user AS who FROM logs WHERE timestamp >= '${range.from}' AND timestamp < '${range.to}' ORDER BY timestamp`);
    expect(rows.status).toBe(200);
    expect(rows.body.columns.map((c: { name: string }) => c.name)).toEqual(['id', 'level', 'who']);
    expect(rows.body.rows.map((r: string[]) => r[0])).toEqual(ids);
    expect(rows.body.rows[0].slice(1)).toEqual(['error', 'logflow_reader']);
    const capped = await sql('SELECT generate_series(1, 50)', { maxRows: 20 });
    expect(capped.body).toMatchObject({ rowCount: 20, truncated: true });
    const write = await sql(`DELETE FROM logs WHERE id = '${ids[0]}'`);
    expect(write).toMatchObject({ status: 400, body: { error: { code: 'sql_error', message: 'cannot execute DELETE in a read-only transaction' } } });
    const two = await sql('SELECT 1; SELECT 2');
    expect(two.body.error.message).toBe('cannot insert multiple commands into a prepared statement');
    const slow = await sql('SELECT pg_sleep(5)', { timeoutMs: 200 });
    expect(slow.body.error.message).toBe('canceling statement due to statement timeout');
    const typo = await sql('SELEC 1');
    expect(typo.body.error).toMatchObject({ message: 'syntax error at or near "SELEC"', details: { code: '42601', position: 1 } });
    const copy = await sql('/* out */ COPY (SELECT 1) TO STDOUT');
    expect(copy).toMatchObject({ status: 400, body: { error: { message: 'COPY is not available in the SQL console: run its SELECT instead' } } });
    expect((await sql('SELECT 1 AS still_up')).body.rows).toEqual([[1]]);
    const escape = await sql("SELECT set_config('role', 'logflow', true)");
    expect(escape.status).toBe(400);
    expect(escape.body.error.message).toMatch(/permission denied to set role/);
  });

  it('serves the OpenAPI document at /api/docs', async () => {
    const page = await fetch(`${QUERY_URL}/api/docs`);
    expect(page.status).toBe(200);
    const spec = (await (await fetch(`${QUERY_URL}/api/docs/json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/api/logs/search', '/api/logs/histogram', '/api/logs/fields/{field}/top', '/api/logs/{id}', '/api/logs/{id}/context', '/api/logs/tail', '/api/logs/export', '/api/sql']),
    );
  });

  it('answers 503 with a clear message, not a stack trace, while Elasticsearch is down', async () => {
    const port = TEST_PORTS.query + 1;
    const down = await startRole('query', { ...pipeline.env, QUERY_PORT: String(port), ELASTICSEARCH_URL: 'http://127.0.0.1:9' });
    try {
      for (const path of ['/api/logs/search', '/api/logs/histogram', '/api/logs/export', `/api/logs/${ids[0]}`]) {
        const response = await fetch(`http://127.0.0.1:${port}${path}`);
        const body = (await response.json()) as { error: { code: string; message: string } };
        expect(response.status, path).toBe(503);
        expect(response.headers.get('retry-after')).toBe('5');
        expect(body.error).toEqual({ code: 'search_unavailable', message: 'Elasticsearch is unreachable or overloaded; try again shortly' });
      }
    } finally {
      await down.stop();
    }
  });

  it('says how fresh the answer is: the ES sink lag and what Postgres holds that Elasticsearch does not yet', async () => {
    const range = runRange(pipeline);
    // The ES sink commits its offsets at most once a second, so its lag reaches 0 shortly after the logs are searchable.
    const settled = await eventually(async () => {
      const { body } = await pipeline.get('/api/logs/search', range);
      const f = body.freshness;
      return f.missingFromElasticsearch.status === 'counted' && f.esSinkLag.messages === 0 ? f : undefined;
    });
    expect(settled.missingFromElasticsearch).toMatchObject({ count: 0, postgres: 10, elasticsearch: 10, range });
    expect(settled.esSinkLag.messages).toBe(0);

    // With the ES sink stopped, new logs reach Postgres only.
    await pipeline.roles.get('es-sink')!.stop();
    await pipeline.ingest([20, 21, 22].map((s) => ({ level: 'info', message: `late ${s}`, timestamp: isoAt(pipeline.base + s * 1_000) })));
    const behind = await eventually(
      async () => {
        const { body } = await pipeline.get('/api/logs/search', range);
        const f = body.freshness;
        return f.missingFromElasticsearch.count === 3 && f.esSinkLag.messages === 3 ? f : undefined;
      },
      30_000,
      500,
    );
    expect(behind.missingFromElasticsearch).toMatchObject({ status: 'counted', postgres: 13, elasticsearch: 10 });
  });
});
