import { describe, expect, it } from 'vitest';
import { OffsetCommits, type PartitionOffset } from './offset-commits.ts';
import { setTimeout as sleep } from 'node:timers/promises';

describe('OffsetCommits', () => {
  it('sends what becomes committable during a commit together in the next one, the latest offset per partition', async () => {
    const sent: PartitionOffset[][] = [];
    let release!: () => void;
    const first = new Promise<void>((resolve) => (release = resolve));
    const commits = new OffsetCommits(
      async (offsets) => {
        sent.push(offsets);
        if (sent.length === 1) await first;
      },
      () => undefined,
    );

    commits.commit(0, '10');
    await Promise.resolve();
    commits.commit(1, '5');
    commits.commit(2, '7');
    commits.commit(1, '9');
    release();
    await commits.settled();

    expect(sent).toEqual([
      [{ partition: 0, offset: '10' }],
      [
        { partition: 1, offset: '9' },
        { partition: 2, offset: '7' },
      ],
    ]);
  });

  it('goes on after a failed commit, and reports what it could not commit', async () => {
    const sent: PartitionOffset[][] = [];
    const failed: PartitionOffset[][] = [];
    const commits = new OffsetCommits(
      async (offsets) => {
        sent.push(offsets);
        if (sent.length === 1) throw new Error('coordinator moved');
      },
      (_error, offsets) => failed.push(offsets),
    );
    commits.commit(3, '1');
    await commits.settled();
    commits.commit(3, '2');
    await commits.settled();
    expect(failed).toEqual([[{ partition: 3, offset: '1' }]]);
    expect(sent.at(-1)).toEqual([{ partition: 3, offset: '2' }]);
  });

  it('sends at most one commit per interval, with everything that became committable meanwhile', async () => {
    const sent: { offsets: PartitionOffset[] }[] = [];
    const commits = new OffsetCommits(
      async (offsets) => void sent.push({ offsets }),
      () => undefined,
      100,
    );
    commits.commit(0, '1');
    await commits.settled();
    commits.commit(0, '2');
    commits.commit(1, '4');
    await sleep(20);
    commits.commit(0, '3');
    await commits.settled();
    expect(sent.map((s) => s.offsets)).toEqual([
      [{ partition: 0, offset: '1' }],
      [
        { partition: 0, offset: '3' },
        { partition: 1, offset: '4' },
      ],
    ]);
  });
});
