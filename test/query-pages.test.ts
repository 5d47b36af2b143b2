import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoAt, QUERY_URL, queryString, runRange, startQueryPipeline, type QueryPipeline } from './query-pipeline.ts';

const COUNT = 10_500;

interface Page {
  total: number;
  totalRelation: 'eq' | 'gte';
  hits: { id: string; timestamp: string }[];
  nextCursor: string | null;
}

describe('pagination past 10,000 results and export', () => {
  let pipeline: QueryPipeline;
  let ingested: Set<string>;
  let range: { from: string; to: string };

  /** Every page of a search, following nextCursor; the ids in the order they came. */
  async function walk(params: Record<string, string>): Promise<{ ids: string[]; pages: Page[] }> {
    const pages: Page[] = [];
    let cursor: string | null = null;
    do {
      const { status, body }: { status: number; body: Page } = await pipeline.get<Page>('/api/logs/search', cursor ? { ...params, cursor } : params);
      expect(status).toBe(200);
      pages.push(body);
      cursor = body.nextCursor;
    } while (cursor !== null && pages.length < 100);
    return { ids: pages.flatMap((p) => p.hits.map((h) => h.id)), pages };
  }

  beforeAll(async () => {
    pipeline = await startQueryPipeline('query-pages', ['ingester', 'es-sink', 'query']);
    range = runRange(pipeline, 0, 60_000);
    // Ten logs share each millisecond, so the id must break ties for the pages to be exact.
    const logs = Array.from({ length: COUNT }, (_, i) => ({
      level: i % 7 === 0 ? 'error' : 'info',
      message: `page test ${i}`,
      resourceId: `${pipeline.run}-pages`,
      timestamp: isoAt(pipeline.base + Math.floor(i / 10)),
    }));
    ingested = new Set(await pipeline.ingest(logs));
    expect(ingested.size).toBe(COUNT);
    await pipeline.waitSearchable({ term: { resourceId: `${pipeline.run}-pages` } }, COUNT, 90_000);
  });

  afterAll(async () => {
    await pipeline?.close();
  });

  it('walks more than 10,000 results with the cursor, returning every id exactly once, newest first', async () => {
    const { ids, pages } = await walk({ ...range, size: '1000' });
    expect(pages[0]).toMatchObject({ total: 10_000, totalRelation: 'gte' });
    expect(pages).toHaveLength(11);
    expect(ids).toHaveLength(COUNT);
    expect(new Set(ids)).toEqual(ingested);
    const stamps = pages.flatMap((p) => p.hits.map((h) => Date.parse(h.timestamp)));
    expect(stamps.every((t, i) => i === 0 || t <= stamps[i - 1]!)).toBe(true);
  });

  it('walks oldest first as well, with a small page size and a filter', async () => {
    const { ids } = await walk({ ...range, size: '250', sort: 'asc', level: 'error' });
    expect(ids).toHaveLength(Math.ceil(COUNT / 7));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('exports exactly what the search returns, in the same order, as NDJSON and as CSV', async () => {
    const { ids: searched } = await walk({ ...range, size: '1000' });
    const ndjson = await fetch(`${QUERY_URL}/api/logs/export?${queryString({ ...range, format: 'ndjson' })}`);
    expect(ndjson.status).toBe(200);
    expect(ndjson.headers.get('content-type')).toContain('application/x-ndjson');
    expect(ndjson.headers.get('content-disposition')).toMatch(/^attachment; filename="logflow-export-.*\.ndjson"$/);
    const lines = (await ndjson.text()).trimEnd().split('\n');
    const exported = lines.map((line) => JSON.parse(line) as { id: string; resourceId: string });
    expect(exported.map((l) => l.id)).toEqual(searched);
    expect(exported[0]!.resourceId).toBe(`${pipeline.run}-pages`);

    const csv = await fetch(`${QUERY_URL}/api/logs/export?${queryString({ ...range, format: 'csv', level: 'error', sort: 'asc' })}`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const rows = (await csv.text()).trimEnd().split('\n');
    expect(rows[0]).toBe('id,timestamp,receivedAt,level,resourceId,traceId,spanId,commit,message,metadata');
    const { ids: searchedErrors } = await walk({ ...range, size: '1000', level: 'error', sort: 'asc' });
    expect(rows.slice(1).map((row) => row.split(',')[0])).toEqual(searchedErrors);
  });

  it('exports nothing but the CSV header when nothing matches', async () => {
    const csv = await fetch(`${QUERY_URL}/api/logs/export?${queryString({ ...range, format: 'csv', q: 'no-such-word-anywhere' })}`);
    expect(await csv.text()).toBe('id,timestamp,receivedAt,level,resourceId,traceId,spanId,commit,message,metadata\n');
  });
});
