import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { BatchedLedgerCount } from './ledger.ts';
import { setTimeout as sleep } from 'node:timers/promises';

/** Just the one command the count sends, failing while `down`. */
function fakeRedis() {
  const state = { down: false, writes: [] as number[] };
  const redis = {
    async hincrby(_key: string, _field: string, count: number) {
      if (state.down) throw new Error('Redis is down');
      state.writes.push(count);
      return 0;
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
    expect(state.writes).toEqual([5_000]);
  });

  it('keeps what Redis refused and writes it with the next increment', async () => {
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
    expect(state.writes.reduce((sum, n) => sum + n, 0)).toBe(10);
  });
});
