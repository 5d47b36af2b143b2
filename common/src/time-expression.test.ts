import { describe, expect, it } from 'vitest';
import { parseTimeExpression } from './time-expression.ts';

const NOW = Date.parse('2026-03-18T10:20:30.456Z'); // a Wednesday
const at = (text: string) => {
  const ms = parseTimeExpression(text, NOW);
  return ms === undefined ? undefined : new Date(ms).toISOString();
};

describe('time expressions', () => {
  it('reads absolute times', () => {
    expect(at('2023-09-15T08:00:00Z')).toBe('2023-09-15T08:00:00.000Z');
    expect(at('2023-09-15T10:00:00.123456+02:00')).toBe('2023-09-15T08:00:00.123Z');
    expect(at('2023-09-15')).toBe('2023-09-15T00:00:00.000Z');
    expect(at('1694764800000')).toBe('2023-09-15T08:00:00.000Z');
  });

  it('reads relative times with steps and rounding', () => {
    expect(at('now')).toBe('2026-03-18T10:20:30.456Z');
    expect(at('now-15m')).toBe('2026-03-18T10:05:30.456Z');
    expect(at('now-1h+30s')).toBe('2026-03-18T09:21:00.456Z');
    expect(at('now-1d/d')).toBe('2026-03-17T00:00:00.000Z');
    expect(at('now/w')).toBe('2026-03-16T00:00:00.000Z');
    expect(at('now-1M/M')).toBe('2026-02-01T00:00:00.000Z');
    expect(at('now-1y')).toBe('2025-03-18T10:20:30.456Z');
    expect(at('now-500ms')).toBe('2026-03-18T10:20:29.956Z');
  });

  it('refuses what is not a time', () => {
    for (const text of ['yesterday', 'now-15', 'now-15x', '2023-09-15T08:00:00', '2023-13-45', '']) expect(at(text)).toBeUndefined();
  });
});
