import { describe, expect, it } from 'vitest';
import { whileKeyActive } from './key-recheck.ts';

async function* pages(n: number) {
  for (let i = 1; i <= n; i += 1) yield `page ${i}`;
}

describe('whileKeyActive', () => {
  it('passes every chunk while the key is active', async () => {
    const out: string[] = [];
    for await (const chunk of whileKeyActive(pages(4), async () => true, 0)) out.push(chunk);
    expect(out).toEqual(['page 1', 'page 2', 'page 3', 'page 4']);
  });

  it('ends the stream with key_revoked at the first check after the key was revoked', async () => {
    let revoked = false;
    const out: string[] = [];
    let error: unknown;
    try {
      for await (const chunk of whileKeyActive(pages(10), async () => !revoked, 0)) {
        out.push(chunk);
        if (out.length === 2) revoked = true;
      }
    } catch (e) {
      error = e;
    }
    expect(out).toEqual(['page 1', 'page 2']);
    expect(error).toMatchObject({ status: 401, code: 'key_revoked' });
  });

  it('checks nothing with keys off', async () => {
    const out: string[] = [];
    for await (const chunk of whileKeyActive(pages(3), undefined, 0)) out.push(chunk);
    expect(out).toHaveLength(3);
  });
});
