import { describe, expect, it } from 'vitest';
import { MessageSizeGuard } from './message-size-guard.ts';

/** A backend message: type byte, length (counting itself), body. */
const message = (type: string, bodyBytes: number) => {
  const buffer = Buffer.alloc(5 + bodyBytes, 0x78);
  buffer.write(type, 0);
  buffer.writeUInt32BE(bodyBytes + 4, 1);
  return buffer;
};

describe('MessageSizeGuard', () => {
  it('lets messages within the cap through, whatever the chunking', () => {
    const stream = Buffer.concat([message('T', 30), message('D', 100), message('C', 13), message('Z', 1)]);
    for (const size of [1, 3, 7, stream.length]) {
      const guard = new MessageSizeGuard(100);
      for (let at = 0; at < stream.length; at += size) expect(guard.oversized(stream.subarray(at, at + size))).toBeUndefined();
    }
  });

  it('tells the first message over the cap from its header alone, split across chunks', () => {
    const guard = new MessageSizeGuard(100);
    // Only its header arrives before the guard judges it.
    const big = message('E', 0);
    big.writeUInt32BE(600_000_004, 1);
    expect(guard.oversized(Buffer.concat([message('D', 100), big.subarray(0, 3)]))).toBeUndefined();
    expect(guard.oversized(big.subarray(3, 5))).toBe(600_000_000);
  });
});
