import { describe, expect, it } from 'vitest';
import type { LogRecord } from '@logflow/core';
import { formatEventId, parseEventId, sseEvent, TailCursor } from './tail.ts';

const ID = '01a21405-07ec-7422-9247-b144a8d5f317';
const log = (id: string, receivedAt: number) => ({ id, receivedAt: new Date(receivedAt).toISOString() }) as LogRecord;

describe('tail', () => {
  it('round-trips event ids and refuses others', () => {
    const id = formatEventId(log(ID, 1_795_000_000_123));
    expect(id).toBe(`1795000000123_${ID}`);
    expect(parseEventId(id)).toEqual({ receivedAt: 1_795_000_000_123, id: ID });
    expect(parseEventId('garbage')).toBeUndefined();
  });

  it('asks for logs received since the start, then looks back the lateness window leaving out what it sent', () => {
    const cursor = new TailCursor('tenant-a', { receivedAt: 100_000 }, 10_000);
    expect(cursor.request({ match_all: {} }, 50)).toMatchObject({
      index: 'tenant-a',
      size: 50,
      query: { bool: { filter: [{ match_all: {} }, { range: { receivedAt: { gte: new Date(100_000).toISOString() } } }] } },
      sort: [{ receivedAt: { order: 'asc' } }, { id: { order: 'asc' } }],
    });
    expect(cursor.accept([log('a', 101_000), log('b', 130_000)])).toHaveLength(2);
    const next = cursor.request({ match_all: {} }, 50);
    expect(next.query?.bool?.filter).toContainEqual({ range: { receivedAt: { gte: new Date(120_000).toISOString() } } });
    // 'a' fell behind the window and is forgotten; 'b' is still left out.
    expect(next.query?.bool?.must_not).toEqual([{ ids: { values: ['b'] } }]);
    expect(cursor.accept([log('b', 130_000), log('c', 125_000)]).map((l) => l.id)).toEqual(['c']);
    expect(cursor.remembered).toBe(2);
  });

  it('resumes after the last event id without sending it again', () => {
    const cursor = new TailCursor('logflow-logs', { receivedAt: 5_000, id: 'x' }, 10_000);
    expect(cursor.request({ match_all: {} }, 10).query?.bool?.must_not).toEqual([{ ids: { values: ['x'] } }]);
  });

  it('frames server-sent events', () => {
    expect(sseEvent('log', { a: 1 }, '7_x')).toBe('id: 7_x\nevent: log\ndata: {"a":1}\n\n');
  });
});
