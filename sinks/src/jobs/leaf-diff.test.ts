import { describe, expect, it } from 'vitest';
import { diffLeaf, judgeUnknown, type EsCopy } from './leaf-diff.ts';

const DAY = 86_400_000;
const day = (ms: number) => `idx-${Math.floor(ms / DAY)}`;
const copy = (id: string, receivedAt: number, index = day(receivedAt)): EsCopy => ({ id, index, receivedAt });

describe('diffLeaf', () => {
  it('finds nothing when every log has its copy where it belongs', () => {
    const pg = new Map([
      ['a', 10],
      ['b', 20],
    ]);
    expect(diffLeaf(pg, [copy('a', 10), copy('b', 20)], day)).toEqual({ missing: [], outdated: [], twins: [], unknown: [] });
  });

  it('reports logs without a copy as missing', () => {
    const pg = new Map([
      ['a', 10],
      ['b', 20],
      ['c', 30],
    ]);
    expect(diffLeaf(pg, [copy('b', 20)], day).missing).toEqual(['a', 'c']);
  });

  it('keeps the copy in the index Postgres names and calls the other a twin, even when it is the only one', () => {
    const pg = new Map([['a', 10]]);
    const twin = copy('a', 10 + DAY);
    const diff = diffLeaf(pg, [copy('a', 10), twin], day);
    expect(diff).toMatchObject({ missing: [], twins: [twin] });
    const alone = diffLeaf(pg, [twin], day);
    expect(alone).toMatchObject({ missing: ['a'], twins: [twin] });
  });

  it('calls a well-placed copy with another receivedAt outdated', () => {
    const pg = new Map([['a', 10]]);
    expect(diffLeaf(pg, [copy('a', 11)], day)).toMatchObject({ missing: [], outdated: ['a'] });
  });

  it('leaves copies of ids Postgres lacks in this leaf for a lookup by id', () => {
    const stray = copy('z', 15);
    expect(diffLeaf(new Map(), [stray], day).unknown).toEqual([stray]);
  });
});

describe('judgeUnknown', () => {
  it('splits strays into outdated copies, twins and extras', () => {
    const sameDay = copy('a', 15);
    const otherDay = copy('b', 15);
    const extra = copy('c', 15);
    const pgById = new Map([
      ['a', 40],
      ['b', 40 + DAY],
    ]);
    expect(judgeUnknown([sameDay, otherDay, extra], pgById, day)).toEqual({ outdated: ['a'], twins: [otherDay], extra: [extra] });
  });
});
