import { describe, expect, it } from 'vitest';
import { chunkItems, isRefusedForGood, itemBytes, type BulkItem } from './es-bulk.ts';

const item = (id: string, size = 10): BulkItem<null> => ({ index: 'logflow-logs-1-2026.01.01', id, json: 'x'.repeat(size), ref: null });

describe('chunkItems', () => {
  it('cuts by count', () => {
    const chunks = chunkItems(['a', 'b', 'c', 'd', 'e'].map((id) => item(id)), { maxDocs: 2, maxBytes: 1e9 });
    expect(chunks.map((c) => c.map((i) => i.id))).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('cuts by bytes, counting the action line', () => {
    const one = itemBytes(item('a', 100));
    const chunks = chunkItems(['a', 'b', 'c'].map((id) => item(id, 100)), { maxDocs: 100, maxBytes: one * 2 });
    expect(chunks.map((c) => c.length)).toEqual([2, 1]);
  });

  it('sends an item larger than the byte limit on its own rather than never', () => {
    const chunks = chunkItems([item('a', 10), item('b', 1000), item('c', 10)], { maxDocs: 100, maxBytes: 200 });
    expect(chunks.map((c) => c.map((i) => i.id))).toEqual([['a'], ['b'], ['c']]);
  });

  it('returns nothing for nothing', () => {
    expect(chunkItems([], { maxDocs: 1, maxBytes: 1 })).toEqual([]);
  });
});

describe('isRefusedForGood', () => {
  it('refuses mapping and parse errors only', () => {
    expect(isRefusedForGood(400)).toBe(true);
    for (const status of [403, 404, 429, 500, 503]) expect(isRefusedForGood(status)).toBe(false);
  });
});
