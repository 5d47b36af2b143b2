import { describe, expect, it } from 'vitest';
import { PerKeySlots } from './per-key-slots.ts';

describe('PerKeySlots', () => {
  it('refuses a key past its limit with 429, leaves other keys alone, and frees slots once', () => {
    const slots = new PerKeySlots(2, 'exports');
    const first = slots.acquire('a');
    slots.acquire('a');
    expect(() => slots.acquire('a')).toThrow(expect.objectContaining({ status: 429, code: 'too_many_exports' }));
    expect(() => slots.acquire('b')).not.toThrow();
    first();
    first();
    expect(() => slots.acquire('a')).not.toThrow();
    expect(() => slots.acquire('a')).toThrow(expect.objectContaining({ status: 429 }));
  });

  it('does not count requests without a key', () => {
    const slots = new PerKeySlots(1, 'tails');
    slots.acquire(undefined);
    expect(() => slots.acquire(undefined)).not.toThrow();
  });
});
