import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { percentile } from './stats.ts';
import { FIXTURE_FROM, FIXTURE_TO, RESOURCES, withFixtureAndQuery } from './query-fixture.ts';

const PORT = 15_500;
const BASE = `http://127.0.0.1:${PORT}`;
const RANGE = { from: new Date(FIXTURE_FROM).toISOString(), to: new Date(FIXTURE_TO).toISOString() };

const USAGE = `Usage: npm run bench -- query [count] [--iterations N] [--no-postgres] [--keep] [--drop]
  count          logs in the fixture (default 1000000); an existing fixture of that size is reused
  --iterations   timed requests per scenario (default 200, after 20 warm-up requests)
  --no-postgres  load Elasticsearch only (the freshness count then finds nothing in Postgres)
  --keep         leave the fixture in place for the next run (default: drop it at the end)
  --drop         only drop the fixture`;

interface Timing {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  matched: string;
}

/** What the timed routes answer that the bench reads: a search page's count and cursor. */
interface Answer {
  total?: number;
  totalRelation?: 'eq' | 'gte';
  nextCursor?: string;
}

async function getJson(path: string, params: Record<string, string>): Promise<Answer> {
  const response = await fetch(`${BASE}${path}?${new URLSearchParams(params)}`);
  const body = (await response.json()) as Answer;
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${JSON.stringify(body)}`);
  return body;
}

/** Times `iterations` sequential requests, each with parameters from `params(i)`, after a warm-up. */
async function measure(path: string, params: (i: number) => Record<string, string>, iterations: number): Promise<Timing> {
  for (let i = 0; i < 20; i += 1) await getJson(path, params(iterations + i));
  const durations: number[] = [];
  let last: Answer = {};
  for (let i = 0; i < iterations; i += 1) {
    const started = performance.now();
    last = await getJson(path, params(i));
    durations.push(performance.now() - started);
  }
  durations.sort((a, b) => a - b);
  const matched = last.total === undefined ? '' : `${last.totalRelation === 'gte' ? '>=' : ''}${last.total}`;
  return {
    p50: percentile(durations, 50),
    p95: percentile(durations, 95),
    p99: percentile(durations, 99),
    mean: durations.reduce((a, b) => a + b, 0) / durations.length,
    matched,
  };
}

/** The cursor of page `page` (1-based) of a search, by walking the pages before it. */
async function cursorOfPage(params: Record<string, string>, page: number): Promise<string> {
  let cursor = '';
  for (let p = 1; p < page; p += 1) {
    const body = await getJson('/api/logs/search', { ...params, ...(cursor && { cursor }), highlight: 'false' });
    if (!body.nextCursor) throw new Error(`the search has fewer than ${page} pages`);
    cursor = body.nextCursor;
  }
  return cursor;
}

function rssMiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
}

/** Streams a whole export to nowhere, sampling the query process's memory as it goes. */
async function measureExport(pid: number, params: Record<string, string>) {
  const before = rssMiB(pid);
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(rssMiB(pid)), 100);
  const started = performance.now();
  const response = await fetch(`${BASE}/api/logs/export?${new URLSearchParams(params)}`);
  let bytes = 0;
  let lines = 0;
  for await (const chunk of response.body!) {
    bytes += (chunk as Uint8Array).length;
    for (const byte of chunk as Uint8Array) if (byte === 10) lines += 1;
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const quarter = Math.floor(samples.length / 4);
  return {
    lines,
    mib: bytes / 1024 / 1024,
    seconds,
    rssBefore: before,
    rssPeak: Math.max(...samples),
    // Constant memory: the last quarter of the export uses no more than the first.
    rssFirstQuarter: Math.max(...samples.slice(0, quarter)),
    rssLastQuarter: Math.max(...samples.slice(-quarter)),
  };
}

const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { iterations: { type: 'string', default: '200' }, 'no-postgres': { type: 'boolean' }, keep: { type: 'boolean' }, drop: { type: 'boolean' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const count = Number(positionals[0] ?? 1_000_000);
  const iterations = Number(values.iterations);
  const run = { name: 'query', count, withPostgres: !values['no-postgres'], keep: Boolean(values.keep), drop: Boolean(values.drop), queryPort: PORT };
  await withFixtureAndQuery(run, async (query) => {
    const server = (i: number) => `server-${1_000 + ((i * 7_919) % RESOURCES)}`;
    const scenarios: [string, string, (i: number) => Record<string, string>][] = [
      ['exact filter (resourceId)', '/api/logs/search', (i) => ({ ...RANGE, resourceId: server(i) })],
      ['exact filter + level, query language', '/api/logs/search', (i) => ({ ...RANGE, q: `level:error AND resourceId:${server(i)}` })],
      ['full-text phrase', '/api/logs/search', () => ({ ...RANGE, message: '"Failed to connect"' })],
      ['wildcard (resourceId:server-12*)', '/api/logs/search', () => ({ ...RANGE, q: 'resourceId:server-12*' })],
      ['regex on a keyword field', '/api/logs/search', () => ({ ...RANGE, resourceId: '/server-1[0-9]{2}7/' })],
      ['regex on the message (anchored)', '/api/logs/search', () => ({ ...RANGE, message: '/Connection timed out after 9[0-9]{3} ms/' })],
      ['regex on the message (.*inside.*)', '/api/logs/search', () => ({ ...RANGE, message: '/.*timed out after 9[0-9]{3}.*/' })],
      ['filter + histogram', '/api/logs/histogram', (i) => ({ ...RANGE, level: 'error', resourceId: server(i) })],
      ['histogram, all logs of the week', '/api/logs/histogram', () => RANGE],
      ['top values (resourceId of errors)', '/api/logs/fields/resourceId/top', () => ({ ...RANGE, level: 'error' })],
    ];
    console.log(`\nQuery benchmark: ${count.toLocaleString('en-US')} logs, ${iterations} sequential requests per scenario (after 20 warm-up), page size 100\n`);
    const rows: string[][] = [['scenario', 'p50 ms', 'p95 ms', 'p99 ms', 'mean ms', 'matched']];
    const add = (name: string, t: Timing) => rows.push([name, fmt(t.p50), fmt(t.p95), fmt(t.p99), fmt(t.mean), t.matched]);
    for (const [name, path, params] of scenarios) add(name, await measure(path, params, iterations));

    // The 500th page of the info logs (70% of all); a small fixture has fewer pages, so its last but one.
    const deep = { ...RANGE, level: 'info', size: '100' };
    const page = Math.min(500, Math.floor((count * 0.69) / 100));
    const walkStarted = performance.now();
    const cursor = await cursorOfPage(deep, page);
    const walkSeconds = (performance.now() - walkStarted) / 1000;
    add(`deep page (page ${page}, by cursor)`, await measure('/api/logs/search', () => ({ ...deep, cursor }), iterations));

    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const row of rows) console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
    console.log(`\nwalking to page ${page} (${page - 1} pages of 100): ${fmt(walkSeconds)} s, ${fmt((walkSeconds * 1000) / (page - 1))} ms a page`);

    const exported = await measureExport(query.process.pid!, { ...RANGE, format: 'ndjson' });
    console.log(
      `export (NDJSON) of ${exported.lines.toLocaleString('en-US')} logs: ${fmt(exported.mib)} MiB in ${fmt(exported.seconds)} s ` +
        `(${fmt(exported.lines / exported.seconds, 0)} logs/s); query process RSS ${fmt(exported.rssBefore, 0)} MiB before, ` +
        `peak ${fmt(exported.rssPeak, 0)} MiB, first quarter max ${fmt(exported.rssFirstQuarter, 0)} MiB, last quarter max ${fmt(exported.rssLastQuarter, 0)} MiB`,
    );
  });
}
