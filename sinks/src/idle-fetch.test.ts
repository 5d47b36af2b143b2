import { describe, expect, it } from 'vitest';
import { type FetchingGroup, idleAwareFetch } from './idle-fetch.ts';

const empty = { isEmpty: () => true };
const records = { isEmpty: () => false };

/** A ConsumerGroup's fields and a fetch that answers from `answers`, recording the wait each fetch asked the broker for. */
function group(minBytes: number, maxWaitTime: number, answers: (typeof empty)[][]) {
  const asked: { minBytes: number; maxWaitTime: number }[] = [];
  const fetch = idleAwareFetch(
    async function (this: FetchingGroup) {
      asked.push({ minBytes: this.minBytes, maxWaitTime: this.maxWaitTime });
      return answers.shift() ?? [];
    },
    () => 2_000,
  );
  const self: FetchingGroup = { minBytes, maxWaitTime };
  return { asked, fetch: () => fetch.call(self, 0) };
}

describe('idleAwareFetch', () => {
  it('waits for the first record from the start and after a fetch found every partition empty, and batches again once records come', async () => {
    const { asked, fetch } = group(128 * 1024, 500, [[empty, empty], [empty, records], [records], [empty]]);
    for (let i = 0; i < 5; i++) await fetch();
    expect(asked).toEqual([
      { minBytes: 1, maxWaitTime: 2_000 },
      { minBytes: 1, maxWaitTime: 2_000 },
      { minBytes: 128 * 1024, maxWaitTime: 500 },
      { minBytes: 128 * 1024, maxWaitTime: 500 },
      { minBytes: 1, maxWaitTime: 2_000 },
    ]);
  });

  it('keeps the wait it had after a fetch that asked nothing (every partition paused) or failed', async () => {
    const { asked, fetch } = group(128 * 1024, 500, [[records], [], [], [empty], []]);
    for (let i = 0; i < 6; i++) await fetch();
    expect(asked.map((a) => a.minBytes)).toEqual([1, 128 * 1024, 128 * 1024, 128 * 1024, 1, 1]);
  });

  it('leaves a consumer that does not batch (minBytes 1) as it is', async () => {
    const { asked, fetch } = group(1, 500, [[empty], [empty]]);
    for (let i = 0; i < 3; i++) await fetch();
    expect(asked).toEqual(Array.from({ length: 3 }, () => ({ minBytes: 1, maxWaitTime: 500 })));
  });
});
