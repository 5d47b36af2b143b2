import { indexNames } from '@logflow/core';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, planSearch, searchParamsSchema, toSearchPage } from './search-request.ts';

const params = (raw: Record<string, unknown> = {}) => searchParamsSchema.parse(raw);
const ALIAS = 'logflow-logs';
const messageQuery = { bool: { filter: [{ match_phrase: { message: 'x' } }] } };

describe('search request', () => {
  it('asks for the first page sorted by timestamp then id, counting up to the cap, with highlights', () => {
    const plan = planSearch(ALIAS, params({ sort: 'asc', size: '50' }), messageQuery);
    expect(plan.page).toMatchObject({
      index: 'logflow-logs',
      query: messageQuery,
      size: 50,
      sort: [{ timestamp: { order: 'asc' } }, { id: { order: 'asc' } }],
      track_total_hits: 10_000,
      highlight: { fields: { message: {} }, encoder: 'html' },
    });
    expect(plan.page.search_after).toBeUndefined();
    expect(plan.unwindowed).toBeUndefined();
    expect(plan.total).toBeUndefined();
  });

  it("searches the read alias of the installation's prefix it is given", () => {
    const cursor = encodeCursor({ order: 'desc', after: [1_000, 'abc'], spanMs: 0 });
    const plan = planSearch(indexNames('tenant-a').readAlias, params({ cursor }), messageQuery);
    expect([plan.page.index, plan.unwindowed?.index, plan.total?.index]).toEqual(['tenant-a', 'tenant-a', 'tenant-a']);
  });

  it('counts every match when asked to, on the first page and after a cursor', () => {
    expect(planSearch(ALIAS, params({ exactTotal: 'true' }), messageQuery).page.track_total_hits).toBe(true);
    const cursor = encodeCursor({ order: 'desc', after: [1_000, 'abc'], spanMs: 0 });
    expect(planSearch(ALIAS, params({ exactTotal: 'true', cursor }), messageQuery).total?.track_total_hits).toBe(true);
  });

  it('highlights only when a clause looks at the message, and when asked to', () => {
    expect(planSearch(ALIAS, params(), { term: { resourceId: 'message' } }).page.highlight).toBeUndefined();
    expect(planSearch(ALIAS, params({ highlight: 'false' }), { match: { message: 'x' } }).page.highlight).toBeUndefined();
    expect(planSearch(ALIAS, params(), { regexp: { 'message.keyword': { value: 'x.*' } } }).page.highlight).toBeDefined();
  });

  it('looks for a page after a cursor in a time window next to it first, counting the total apart', () => {
    const cursor = encodeCursor({ order: 'desc', after: [1_694_764_800_000, 'abc'], spanMs: 2_000 });
    const plan = planSearch(ALIAS, params({ cursor, size: 10 }), { term: { level: 'error' } });
    expect(plan.page).toMatchObject({
      search_after: [1_694_764_800_000, 'abc'],
      track_total_hits: false,
      query: { bool: { filter: [{ term: { level: 'error' } }, { range: { timestamp: { gte: 1_694_764_792_000, lte: 1_694_764_800_000 } } }] } },
    });
    expect(plan.unwindowed).toMatchObject({ search_after: [1_694_764_800_000, 'abc'], query: { term: { level: 'error' } } });
    expect(plan.total).toMatchObject({ size: 0, track_total_hits: 10_000, query: { term: { level: 'error' } } });
    const ascending = planSearch(ALIAS, params({ sort: 'asc', cursor: encodeCursor({ order: 'asc', after: [5_000, 'x'], spanMs: 0 }) }), { match_all: {} });
    expect(ascending.page.query).toMatchObject({ bool: { filter: [{ match_all: {} }, { range: { timestamp: { gte: 5_000, lte: 6_000 } } }] } });
  });

  it('caps the page size at 1000', () => {
    expect(searchParamsSchema.safeParse({ size: '1001' }).success).toBe(false);
    expect(params().size).toBe(100);
  });

  it('round-trips a cursor and refuses one of the other order or a forged one', () => {
    const cursor = encodeCursor({ order: 'desc', after: [1694764800000, 'abc'], spanMs: 7 });
    expect(decodeCursor(cursor, 'desc')).toEqual({ order: 'desc', after: [1694764800000, 'abc'], spanMs: 7 });
    expect(() => decodeCursor(cursor, 'asc')).toThrow(/cursor: it belongs to sort=desc/);
    expect(() => decodeCursor('bm9wZQ', 'desc')).toThrow(/cursor: not a cursor/);
  });

  it('gives a next cursor, with the span of the page, only for a full page', () => {
    const hit = (id: string, ts: number) => ({ _index: 'i', _id: id, _source: { id } as never, sort: [ts, id], highlight: { message: ['<mark>x</mark>'] } });
    const response = (hits: ReturnType<typeof hit>[]) => ({ took: 3, timed_out: false, _shards: {} as never, hits: { hits } }) as never;
    const two = params({ size: 2 });
    const full = toSearchPage(response([hit('a', 20), hit('b', 5)]), { value: 10_000, relation: 'gte' }, two);
    expect(full).toMatchObject({ total: 10_000, totalRelation: 'gte', tookMs: 3, hits: [{ id: 'a', highlight: ['<mark>x</mark>'] }, { id: 'b' }] });
    expect(decodeCursor(full.nextCursor!, 'desc')).toEqual({ order: 'desc', after: [5, 'b'], spanMs: 15 });
    expect(toSearchPage(response([hit('c', 0)]), { value: 3, relation: 'eq' }, two).nextCursor).toBeNull();
  });
});
