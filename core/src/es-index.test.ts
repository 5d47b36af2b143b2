import { describe, expect, it } from 'vitest';
import { dailyIndexName } from './es-index.ts';

describe('dailyIndexName', () => {
  it('names the index by the UTC day of receipt and the generation', () => {
    expect(dailyIndexName('2026-11-25T23:59:59.999Z')).toBe('logflow-logs-1-2026.11.25');
    expect(dailyIndexName('2026-01-02T00:00:00.000Z', 7)).toBe('logflow-logs-7-2026.01.02');
  });
});
