import { describe, expect, it } from 'vitest';
import { CommitProgress } from './commit-progress.ts';

describe('CommitProgress', () => {
  it('commits past a batch only once every earlier batch of the partition is written', () => {
    const progress = new CommitProgress();
    progress.add(0, '99');
    progress.add(0, '199');
    progress.add(0, '299');
    expect(progress.done(0, '199')).toBeUndefined();
    expect(progress.done(0, '99')).toBe('200');
    expect(progress.done(0, '299')).toBe('300');
    expect(progress.inFlight).toBe(0);
  });

  it('keeps partitions apart', () => {
    const progress = new CommitProgress();
    progress.add(0, '9');
    progress.add(1, '19');
    expect(progress.done(1, '19')).toBe('20');
    expect(progress.inFlight).toBe(1);
  });

  it('ignores a batch it does not know, e.g. one handed over before a rebalance', () => {
    const progress = new CommitProgress();
    progress.add(2, '5');
    progress.clear();
    expect(progress.done(2, '5')).toBeUndefined();
  });
});
