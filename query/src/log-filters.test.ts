import { describe, expect, it } from 'vitest';
import { AppError } from '@logflow/core';
import { filterClauses, keywordParamValue, logFiltersSchema, resolveTimeRange } from './log-filters.ts';

const NOW = Date.parse('2026-01-10T12:00:00.000Z');
const clauses = (params: Record<string, unknown>) => {
  const filters = logFiltersSchema.parse(params);
  return filterClauses(filters, resolveTimeRange(filters, NOW), NOW);
};

describe('filter parameters', () => {
  it('accepts one level or several, comma-separated or repeated, any case', () => {
    expect(logFiltersSchema.parse({ level: 'ERROR, warn' }).level).toEqual(['error', 'warn']);
    expect(logFiltersSchema.parse({ level: ['error', 'fatal,info'] }).level).toEqual(['error', 'fatal', 'info']);
  });

  it('refuses an unknown level and a time that is not one, naming the parameter', () => {
    const result = logFiltersSchema.safeParse({ level: 'error,loud', from: 'yesterday' });
    expect(result.error?.issues.map((i) => i.path[0])).toEqual(['level', 'from']);
  });

  it('matches keyword parameters exactly, by wildcard or by regex; repeated values are alternatives', () => {
    expect(clauses({ resourceId: 'server-1234' })).toEqual([{ term: { resourceId: 'server-1234' } }]);
    expect(clauses({ traceId: 'abc-*' })).toEqual([{ wildcard: { traceId: { value: 'abc-*' } } }]);
    expect(clauses({ commit: '/5e5[0-9a-f]+/i' })).toEqual([{ regexp: { commit: { value: '5e5[0-9a-f]+', case_insensitive: true } } }]);
    expect(clauses({ 'metadata.parentResourceId': ['a', 'b'] })).toEqual([
      { bool: { should: [{ term: { 'metadata.parentResourceId': 'a' } }, { term: { 'metadata.parentResourceId': 'b' } }], minimum_should_match: 1 } },
    ]);
    expect(keywordParamValue('a\\*b')).toEqual({ kind: 'term', text: 'a*b', pattern: 'a\\*b', wildcard: false });
  });

  it('searches the message by words, a quoted phrase or a regex', () => {
    expect(clauses({ message: 'Failed to connect' })).toEqual([{ match: { message: { query: 'Failed to connect', operator: 'and' } } }]);
    expect(clauses({ message: '"Failed to connect"' })).toEqual([{ match_phrase: { message: 'Failed to connect' } }]);
    expect(clauses({ message: '/Failed.*/' })).toEqual([{ regexp: { 'message.keyword': { value: 'Failed.*', case_insensitive: false } } }]);
  });

  it('resolves absolute and relative times once, from inclusive and to exclusive', () => {
    expect(clauses({ from: 'now-15m', to: '2026-01-10T12:00:00Z' })).toEqual([{ range: { timestamp: { gte: '2026-01-10T11:45:00.000Z', lt: '2026-01-10T12:00:00.000Z' } } }]);
    expect(() => clauses({ from: 'now', to: 'now-1h' })).toThrow(/to: must be later than from/);
  });

  it('answers a query language error as invalid_query with the position', () => {
    let error: unknown;
    try {
      clauses({ q: 'level:error AND (resourceId:x' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_query', details: [{ field: 'q', position: 29 }] });
  });

  it('combines every filter', () => {
    expect(clauses({ level: 'error', resourceId: 'r', q: 'timeout', from: '2026-01-01' })).toEqual([
      { terms: { level: ['error'] } },
      { term: { resourceId: 'r' } },
      { range: { timestamp: { gte: '2026-01-01T00:00:00.000Z' } } },
      { match_phrase: { message: 'timeout' } },
    ]);
  });

  it('refuses more regex and wildcard clauses than the cap, counting the parameters with q', () => {
    const q = Array.from({ length: 15 }, (_, i) => `message:/a${i}.*/`).join(' OR ');
    expect(() => clauses({ q })).not.toThrow();
    expect(() => clauses({ q, resourceId: ['api-*', 'web-*'] })).toThrow(expect.objectContaining({ status: 400, code: 'invalid_query' }));
  });
});
