import { describe, expect, it } from 'vitest';
import { bulkBody, bulkItem, chunkItems, isRefusedForGood, sortOutcome } from './es-bulk.ts';

const item = (id: string, size = 10) => bulkItem('logflow-logs-1-2026.01.01', id, Buffer.from(JSON.stringify({ id, pad: 'x'.repeat(size) })), id);

describe('chunkItems', () => {
  it('cuts by count', () => {
    const chunks = chunkItems(
      ['a', 'b', 'c', 'd', 'e'].map((id) => item(id)),
      { maxDocs: 2, maxBytes: 1e9 },
    );
    expect(chunks.map((c) => c.map((i) => i.id))).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('cuts by bytes, counting the action line', () => {
    const one = item('a', 100).bytes;
    const chunks = chunkItems(
      ['a', 'b', 'c'].map((id) => item(id, 100)),
      { maxDocs: 100, maxBytes: one * 2 },
    );
    expect(chunks.map((c) => c.length)).toEqual([2, 1]);
  });

  it('sends an item larger than the byte limit on its own rather than never', () => {
    const chunks = chunkItems([item('a', 10), item('b', 1000), item('c', 10)], { maxDocs: 100, maxBytes: 150 });
    expect(chunks.map((c) => c.map((i) => i.id))).toEqual([['a'], ['b'], ['c']]);
  });

  it('returns nothing for nothing', () => {
    expect(chunkItems([], { maxDocs: 1, maxBytes: 1 })).toEqual([]);
  });
});

describe('bulkBody', () => {
  it('is one action line and one source line per item, each ending in a newline, as many bytes as the items say', () => {
    const items = [item('a'), item('b')];
    const body = bulkBody(items);
    const lines = body.toString('utf8').split('\n');
    expect(lines).toHaveLength(5);
    expect(JSON.parse(lines[0]!)).toEqual({ create: { _index: 'logflow-logs-1-2026.01.01', _id: 'a' } });
    expect(JSON.parse(lines[3]!)).toEqual({ id: 'b', pad: 'x'.repeat(10) });
    expect(lines[4]).toBe('');
    expect(body.length).toBe(items[0]!.bytes + items[1]!.bytes);
  });
});

describe('sortOutcome', () => {
  it('sorts each item by its own status: indexed, refused for good with the reason, or to retry', () => {
    const items = ['ok', 'bad', 'busy', 'down', 'blocked'].map((id) => item(id));
    const outcome = sortOutcome(items, [
      { status: 201 },
      { status: 400, error: { type: 'document_parsing_exception', reason: 'failed to parse field [metadata.shape]', caused_by: { reason: 'For input string: "round"' } } },
      { status: 429 },
      { status: 503 },
      { status: 403 },
    ]);
    expect(outcome.indexed.map((i) => i.id)).toEqual(['ok']);
    expect(outcome.refused.map((r) => [r.item.id, r.reason])).toEqual([['bad', 'document_parsing_exception: failed to parse field [metadata.shape] (For input string: "round")']]);
    expect(outcome.retry.map((i) => i.id)).toEqual(['busy', 'down', 'blocked']);
  });

  it('takes a 409 (the id is stored already) as done and a duplicate: not created, not refused, not retried', () => {
    const outcome = sortOutcome([item('new'), item('again')], [{ status: 201 }, { status: 409, error: { type: 'version_conflict_engine_exception' } }]);
    expect(outcome.indexed.map((i) => i.id)).toEqual(['new', 'again']);
    expect(outcome.created).toBe(1);
    expect(outcome.duplicates).toBe(1);
    expect(outcome.refused).toEqual([]);
    expect(outcome.retry).toEqual([]);
  });

  it('retries items the response does not account for', () => {
    expect(sortOutcome([item('a')], undefined).retry).toHaveLength(1);
  });
});

describe('isRefusedForGood', () => {
  it('refuses mapping and parse errors only', () => {
    expect(isRefusedForGood(400)).toBe(true);
    for (const status of [403, 404, 429, 500, 503]) expect(isRefusedForGood(status)).toBe(false);
  });
});
