import { describe, expect, it } from 'vitest';
import { buildSearchRequest, searchQuerySchema } from './search.ts';

describe('search query', () => {
  it('accepts several levels and normalises their case', () => {
    expect(searchQuerySchema.parse({ level: 'ERROR, warn' }).level).toEqual(['error', 'warn']);
  });

  it('refuses an unknown level, naming the field', () => {
    const result = searchQuerySchema.safeParse({ level: 'error,loud' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path[0]).toBe('level');
  });

  it('builds exact level, time range and full-text clauses', () => {
    const request = buildSearchRequest(
      searchQuerySchema.parse({ level: 'error', q: 'Failed to connect', from: '2023-09-15T00:00:00Z', to: '2023-09-16T00:00:00Z' }),
    );
    expect(request.query?.bool?.filter).toEqual([
      { terms: { level: ['error'] } },
      { range: { timestamp: { gte: '2023-09-15T00:00:00Z', lt: '2023-09-16T00:00:00Z' } } },
    ]);
    expect(request.query?.bool?.must).toEqual([{ match: { message: { query: 'Failed to connect', operator: 'and' } } }]);
  });

  it('caps the page size at 1000', () => {
    expect(searchQuerySchema.safeParse({ size: '1001' }).success).toBe(false);
  });
});
