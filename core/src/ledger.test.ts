import type { Redis } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { BatchedLedgerCount } from './ledger.ts';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The one script the count sends, as Redis runs it (a token applies once), failing while
 * `down`; with `replyLost` Redis applies the write and the reply never arrives.
 */
function fakeRedis() {
  const state = { down: false, replyLost: false, total: 0, writes: 0, tokens: new Set<string>() };
  const redis = {
    async eval(_script: string, _keys: number, _key: string, tokenKey: string, _field: string, count: number) {
      if (state.down) throw new Error('Redis is down');
      state.writes++;
      if (!state.tokens.has(tokenKey)) {
        state.tokens.add(tokenKey);
        state.total += count;
      }
      if (state.replyLost) throw new Error('read ECONNRESET');
      return 1;
    },
  } as unknown as Redis;
  return { state, redis };
}

describe('BatchedLedgerCount', () => {
  it('writes what many requests added as one increment', async () => {
    const { state, redis } = fakeRedis();
    const count = new BatchedLedgerCount(redis, 'k', 'accepted', () => undefined, 60_000);
    for (let i = 0; i < 50; i++) count.add(100);
    await count.close();
    expect(state).toMatchObject({ writes: 1, total: 5_000 });
  });

  it('keeps what Redis refused and writes it later', async () => {
    const { state, redis } = fakeRedis();
    const errors: unknown[] = [];
    const count = new BatchedLedgerCount(redis, 'k', 'accepted', (error) => errors.push(error), 20);
    state.down = true;
    count.add(7);
    await sleep(60);
    state.down = false;
    count.add(3);
    await count.close();
    expect(errors.length).toBeGreaterThan(0);
    expect(state.total).toBe(10);
  });

  it('counts a write once when Redis applied it but the reply was lost, and the write was sent again', async () => {
    const { state, redis } = fakeRedis();
    const count = new BatchedLedgerCount(redis, 'k', 'accepted', () => undefined, 20);
    state.replyLost = true;
    count.add(100);
    await sleep(80);
    state.replyLost = false;
    count.add(5);
    await count.close();
    expect(state.writes).toBeGreaterThan(2);
    expect(state.total).toBe(105);
  });

  it('arms no timer while nothing was added, and none once what was added is written', async () => {
    vi.useFakeTimers();
    try {
      const { state, redis } = fakeRedis();
      const count = new BatchedLedgerCount(redis, 'k', 'accepted', () => undefined, 20);
      expect(vi.getTimerCount()).toBe(0);
      count.add(4);
      count.add(1);
      expect(vi.getTimerCount()).toBe(1);
      await vi.advanceTimersByTimeAsync(20);
      expect(state).toMatchObject({ writes: 1, total: 5 });
      expect(vi.getTimerCount()).toBe(0);
      await count.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('retries a refused write on its own timer, with nothing else added', async () => {
    const { state, redis } = fakeRedis();
    const count = new BatchedLedgerCount(redis, 'k', 'accepted', () => undefined, 20);
    state.down = true;
    count.add(9);
    await sleep(60);
    state.down = false;
    await sleep(80);
    expect(state.total).toBe(9);
    await count.close();
  });
});
