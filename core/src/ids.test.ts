import { describe, expect, it } from 'vitest';
import { LogIdGenerator } from './ids.ts';

describe('LogIdGenerator', () => {
  it('makes distinct UUIDv7s whose time prefix follows the clock', () => {
    const before = Date.now();
    const generator = new LogIdGenerator();
    const ids = Array.from({ length: 10_000 }, () => generator.next());
    const after = Date.now();
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of [ids[0]!, ids.at(-1)!]) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const millis = parseInt(id.replaceAll('-', '').slice(0, 12), 16);
      expect(millis).toBeGreaterThanOrEqual(before);
      expect(millis).toBeLessThanOrEqual(after);
    }
  });
});
