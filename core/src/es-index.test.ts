import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { cutoverTemplate, dailyIndex, generationFor, indexForLog, indexNames, parseDailyIndex } from './es-index.ts';

describe('indexForLog', () => {
  it('names the index by the UTC day of receipt and the generation of the plan it is given', () => {
    const names = indexNames('logflow-logs');
    expect(indexForLog(names, { generation: 1 }, '2026-11-25T23:59:59.999Z')).toBe('logflow-logs-1-2026.11.25');
    expect(indexForLog(names, { generation: 7 }, '2026-01-02T00:00:00.000Z')).toBe('logflow-logs-7-2026.01.02');
    const reindexing = { generation: 3, previous: 2, cutoverAt: '2026-11-25T12:00:00.000Z' };
    expect(indexForLog(names, reindexing, '2026-11-25T11:59:59.999Z')).toBe('logflow-logs-2-2026.11.25');
  });

  it('follows the installation prefix', () => {
    expect(dailyIndex(indexNames('lftest-x'), 3, '2026-01-02T10:00:00.000Z')).toBe('lftest-x-3-2026.01.02');
  });
});

describe('generationFor', () => {
  const plan = { generation: 3, previous: 2, cutoverAt: '2026-11-25T12:00:00.000Z' };

  it('routes a log by its receipt: before the cutover to the previous generation, from it on to the new one', () => {
    expect(generationFor(plan, '2026-11-25T11:59:59.999Z')).toBe(2);
    expect(generationFor(plan, '2026-11-25T12:00:00.000Z')).toBe(3);
    expect(generationFor({ generation: 4 }, '2001-01-01T00:00:00.000Z')).toBe(4);
  });
});

describe('parseDailyIndex', () => {
  const names = indexNames('logflow-logs');

  it('reads the generation and day of a daily index of this installation only', () => {
    expect(parseDailyIndex(names, 'logflow-logs-12-2026.11.25')).toEqual({ generation: 12, day: '2026-11-25' });
    expect(parseDailyIndex(names, 'logflow-logs.generations')).toBeUndefined();
    expect(parseDailyIndex(names, 'other-1-2026.11.25')).toBeUndefined();
    expect(parseDailyIndex(names, 'logflow-logs-x-1-2026.11.25')).toBeUndefined();
  });
});

describe('cutoverTemplate', () => {
  it('covers only the new generation, wins over the base template, and filters the read alias', () => {
    const template = cutoverTemplate(loadConfig({}), 2, '2026-11-25T12:00:00.000Z');
    expect(template.index_patterns).toEqual(['logflow-logs-2-*']);
    expect(template.priority).toBeGreaterThan(100);
    expect(template.template?.aliases).toEqual({
      'logflow-logs': { filter: { range: { receivedAt: { gte: '2026-11-25T12:00:00.000Z' } } } },
    });
  });
});
