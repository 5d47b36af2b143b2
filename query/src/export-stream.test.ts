import { describe, expect, it } from 'vitest';
import type { Client } from '@elastic/elasticsearch';
import { errors } from '@elastic/elasticsearch';
import type { LogRecord } from '@logflow/core';
import { csvRows, EXPORT_PAGE_SIZE, EXPORT_SLICE_SIZE, exportChunks, ndjsonLines, openExport } from './export-stream.ts';

const log = (i: number): LogRecord => ({
  id: `id-${i}`,
  timestamp: new Date(1_000_000 - i).toISOString(),
  receivedAt: '2026-01-01T00:00:00.000Z',
  level: 'info',
  message: `message ${i}, "quoted"`,
  metadata: i % 2 ? { region: 'eu' } : {},
});

/** An Elasticsearch stand-in serving `total` logs (log i at 1,000,000 - i ms) over one point in time. */
function fakeElasticsearch(total: number) {
  const logs = Array.from({ length: total }, (_, i) => log(i));
  const calls = { pages: 0, closed: [] as string[] };
  type Request = { size: number; aggs?: unknown; sort?: unknown[]; search_after?: [number, string]; query: any };
  const client = {
    openPointInTime: async () => ({ id: 'pit-1' }),
    closePointInTime: async ({ id }: { id: string }) => void calls.closed.push(id),
    search: async (request: Request) => {
      const stamps = logs.map((l) => Date.parse(l.timestamp));
      if (request.aggs) return { pit_id: 'pit-2', hits: { hits: [] }, aggregations: { first: { value: Math.min(...stamps) }, last: { value: Math.max(...stamps) } } };
      const { gte, lt } = request.query.bool.filter[1].range.timestamp;
      const inRange = logs.filter((l) => Date.parse(l.timestamp) >= gte && Date.parse(l.timestamp) < lt);
      if (request.size === 0) return { pit_id: 'pit-2', hits: { total: { value: inRange.length, relation: 'eq' }, hits: [] } };
      calls.pages += 1;
      const desc = JSON.stringify(request.sort).includes('desc');
      const sorted = inRange.sort((a, b) => (Date.parse(a.timestamp) - Date.parse(b.timestamp)) * (desc ? -1 : 1));
      const after = request.search_after;
      const start = after ? sorted.findIndex((l) => l.id === after[1]) + 1 : 0;
      const hits = sorted.slice(start, start + request.size).map((l) => ({ _source: l, sort: [Date.parse(l.timestamp), l.id] }));
      return { pit_id: 'pit-2', hits: { hits } };
    },
  };
  return { client: client as unknown as Client, calls };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('export stream', () => {
  it('pages through every log with search_after and closes the point in time', async () => {
    const { client, calls } = fakeElasticsearch(EXPORT_PAGE_SIZE * 2 + 5);
    const pages = await collect(await openExport(client, 'logflow-logs', { match_all: {} }, 'desc'));
    expect(pages.map((p) => p.length)).toEqual([EXPORT_PAGE_SIZE, EXPORT_PAGE_SIZE, 5]);
    expect(pages.flat().map((l) => l.id)).toEqual(Array.from({ length: EXPORT_PAGE_SIZE * 2 + 5 }, (_, i) => `id-${i}`));
    expect(calls.pages).toBe(3);
    expect(calls.closed).toEqual(['pit-2']);
  });

  it('cuts a long export into time slices, still every log once and in order', { timeout: 30_000 }, async () => {
    const total = EXPORT_SLICE_SIZE * 2 + 1_234;
    const { client } = fakeElasticsearch(total);
    const newestFirst = (await collect(await openExport(client, 'logflow-logs', { match_all: {} }, 'desc'))).flat().map((l) => l.id);
    expect(newestFirst).toEqual(Array.from({ length: total }, (_, i) => `id-${i}`));
    const oldestFirst = (await collect(await openExport(client, 'logflow-logs', { match_all: {} }, 'asc'))).flat().map((l) => l.id);
    expect(oldestFirst).toEqual([...newestFirst].reverse());
  });

  it('closes the point in time when the consumer stops early', async () => {
    const { client, calls } = fakeElasticsearch(EXPORT_PAGE_SIZE * 5);
    for await (const page of await openExport(client, 'logflow-logs', { match_all: {} }, 'asc')) {
      expect(page).toHaveLength(EXPORT_PAGE_SIZE);
      break;
    }
    expect(calls.closed).toEqual(['pit-2']);
    expect(calls.pages).toBeLessThanOrEqual(2);
  });

  it('exports nothing before the first index exists', async () => {
    const client = {
      openPointInTime: async () => {
        throw new errors.ResponseError({ statusCode: 404, body: { error: { type: 'index_not_found_exception' } }, warnings: null, meta: {} as never });
      },
    } as unknown as Client;
    expect(await collect(await openExport(client, 'logflow-logs', { match_all: {} }, 'desc'))).toEqual([]);
  });

  it('writes NDJSON lines and CSV rows with a header first, metadata as JSON', async () => {
    expect(ndjsonLines([log(1)])).toBe(`${JSON.stringify(log(1))}\n`);
    expect(csvRows([log(1)])).toBe(`id-1,1970-01-01T00:16:39.999Z,2026-01-01T00:00:00.000Z,info,,,,,"message 1, ""quoted""","{""region"":""eu""}"\n`);
    async function* pages() {
      yield [log(0)];
    }
    expect(await collect(exportChunks(pages(), 'csv'))).toEqual([
      'id,timestamp,receivedAt,level,resourceId,traceId,spanId,commit,message,metadata\n',
      'id-0,1970-01-01T00:16:40.000Z,2026-01-01T00:00:00.000Z,info,,,,,"message 0, ""quoted""",\n',
    ]);
  });

  it('writes the chosen CSV columns only, in order, a metadata path as its value', async () => {
    const nested = { ...log(2), metadata: { region: 'eu', pod: { name: 'p-1' }, tags: ['a'] } };
    async function* pages() {
      yield [nested];
    }
    expect(await collect(exportChunks(pages(), 'csv', ['message', 'metadata.region', 'metadata.pod.name', 'metadata.tags', 'metadata.none', 'level']))).toEqual([
      'message,metadata.region,metadata.pod.name,metadata.tags,metadata.none,level\n',
      '"message 2, ""quoted""",eu,p-1,"[""a""]",,info\n',
    ]);
  });
});
