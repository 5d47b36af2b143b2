import { describe, expect, it } from 'vitest';
import { Backlog } from './backlog.ts';

describe('Backlog', () => {
  it('lets batches in up to the budget, then one per release, in order', async () => {
    const backlog = new Backlog(100);
    await backlog.acquire(60);
    const order: string[] = [];
    const second = backlog.acquire(60).then(() => order.push('second'));
    const third = backlog.acquire(10).then(() => order.push('third'));
    await Promise.resolve();
    expect(order).toEqual([]);
    backlog.release(60);
    await Promise.all([second, third]);
    expect(order).toEqual(['second', 'third']);
    expect(backlog.bytes).toBe(70);
  });

  it('admits a batch larger than the budget when nothing else is in', async () => {
    const backlog = new Backlog(10);
    await backlog.acquire(50);
    expect(backlog.bytes).toBe(50);
  });

  it('says when everything is released', async () => {
    const backlog = new Backlog(10);
    await backlog.acquire(5);
    let drained = false;
    const waiting = backlog.drained().then(() => (drained = true));
    await Promise.resolve();
    expect(drained).toBe(false);
    backlog.release(5);
    await waiting;
    expect(drained).toBe(true);
  });
});
