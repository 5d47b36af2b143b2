import { describe, expect, it } from 'vitest';
import { buildSearchRequest, decodeCursor, encodeCursor, searchParamsSchema, toSearchPage } from './search-request.ts';

describe('search request', () => {
  it('sorts by timestamp then id, counts up to the cap and highlights the message', () => {
    const request = buildSearchRequest(searchParamsSchema.parse({ sort: 'asc', size: '50' }), { bool: { filter: [{ match_phrase: { message: 'x' } }] } });
    expect(request).toMatchObject({
      index: 'logflow-logs',
      size: 50,
      sort: [{ timestamp: { order: 'asc' } }, { id: { order: 'asc' } }],
      track_total_hits: 10_000,
      highlight: { fields: { message: {} }, encoder: 'html' },
    });
    expect(request.search_after).toBeUndefined();
  });

  it('highlights only when a clause looks at the message, and when asked to', () => {
    expect(buildSearchRequest(searchParamsSchema.parse({}), { term: { resourceId: 'message' } }).highlight).toBeUndefined();
    expect(buildSearchRequest(searchParamsSchema.parse({ highlight: 'false' }), { match: { message: 'x' } }).highlight).toBeUndefined();
    expect(buildSearchRequest(searchParamsSchema.parse({}), { regexp: { 'message.keyword': { value: 'x.*' } } }).highlight).toBeDefined();
  });

  it('caps the page size at 1000', () => {
    expect(searchParamsSchema.safeParse({ size: '1001' }).success).toBe(false);
    expect(searchParamsSchema.parse({}).size).toBe(100);
  });

  it('round-trips a cursor and refuses one of the other order or a forged one', () => {
    const cursor = encodeCursor({ order: 'desc', after: [1694764800000, 'abc'] });
    expect(decodeCursor(cursor, 'desc')).toEqual([1694764800000, 'abc']);
    expect(buildSearchRequest(searchParamsSchema.parse({ cursor }), { match_all: {} }).search_after).toEqual([1694764800000, 'abc']);
    expect(() => decodeCursor(cursor, 'asc')).toThrow(/cursor: it belongs to sort=desc/);
    expect(() => decodeCursor('bm9wZQ', 'desc')).toThrow(/cursor: not a cursor/);
  });

  it('gives a next cursor only for a full page', () => {
    const hit = (id: string, ts: number) => ({ _index: 'i', _id: id, _source: { id } as never, sort: [ts, id], highlight: { message: ['<mark>x</mark>'] } });
    const response = (hits: ReturnType<typeof hit>[], total: { value: number; relation: 'eq' | 'gte' }) =>
      ({ took: 3, timed_out: false, _shards: {} as never, hits: { total, hits } }) as never;
    const params = searchParamsSchema.parse({ size: 2 });
    const full = toSearchPage(response([hit('a', 2), hit('b', 1)], { value: 10_000, relation: 'gte' }), params);
    expect(full).toMatchObject({ total: 10_000, totalRelation: 'gte', tookMs: 3, hits: [{ id: 'a', highlight: ['<mark>x</mark>'] }, { id: 'b' }] });
    expect(decodeCursor(full.nextCursor!, 'desc')).toEqual([1, 'b']);
    expect(toSearchPage(response([hit('c', 0)], { value: 3, relation: 'eq' }), params).nextCursor).toBeNull();
  });
});
