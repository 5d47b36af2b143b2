import { describe, expect, it } from 'vitest';
import { parseQuery, QuerySyntaxError } from '@logflow/common';
import { assertPatternBudget, countPatternClauses, MAX_REGEX_CHARS, toElasticsearchQuery } from './to-elasticsearch.ts';

const NOW = Date.parse('2026-01-10T12:30:00.000Z');
const es = (query: string) => toElasticsearchQuery(parseQuery(query), NOW);

describe('query language to Elasticsearch', () => {
  it('matches keyword fields exactly, by wildcard or by regex', () => {
    expect(es('resourceId:server-1234')).toEqual({ term: { resourceId: 'server-1234' } });
    expect(es('resourceId:"server 1234"')).toEqual({ term: { resourceId: 'server 1234' } });
    expect(es('resourceId:server-1*')).toEqual({ wildcard: { resourceId: { value: 'server-1*' } } });
    expect(es('resourceId:/server-[0-9]{4}/')).toEqual({ regexp: { resourceId: { value: 'server-[0-9]{4}', case_insensitive: false } } });
    expect(es('metadata.parentResourceId:server-0987')).toEqual({ term: { 'metadata.parentResourceId': 'server-0987' } });
  });

  it('refuses regular expressions longer than MAX_REGEX_CHARS', () => {
    expect(() => es(`resourceId:/${'a'.repeat(MAX_REGEX_CHARS)}/`)).not.toThrow();
    expect(() => es(`message:/${'a'.repeat(MAX_REGEX_CHARS + 1)}/`)).toThrow(expect.objectContaining({ status: 400, code: 'invalid_query' }));
  });

  it('normalises levels and refuses unknown ones with the position', () => {
    expect(es('level:ERROR')).toEqual({ term: { level: 'error' } });
    expect(() => es('level:loud')).toThrow(new QuerySyntaxError("unknown level 'loud' (levels: trace, debug, info, warn, error, fatal)", 6));
  });

  it('searches the message as words, phrases, per-word wildcards and whole-message regexes', () => {
    expect(es('Failed')).toEqual({ match_phrase: { message: 'Failed' } });
    expect(es('"Failed to connect"')).toEqual({ match_phrase: { message: 'Failed to connect' } });
    expect(es('message:conn*')).toEqual({ wildcard: { message: { value: 'conn*', case_insensitive: true } } });
    expect(es('server-12*')).toEqual({ wildcard: { 'message.keyword': { value: '*server-12*', case_insensitive: true } } });
    expect(es('/Failed to .*/i')).toEqual({ regexp: { 'message.keyword': { value: 'Failed to .*', case_insensitive: true } } });
  });

  it('combines with bool clauses, negations going to must_not', () => {
    expect(es('level:error AND resourceId:server-1* AND NOT "timed out"')).toEqual({
      bool: {
        filter: [{ term: { level: 'error' } }, { wildcard: { resourceId: { value: 'server-1*' } } }],
        must_not: [{ match_phrase: { message: 'timed out' } }],
      },
    });
    expect(es('a OR b')).toEqual({ bool: { should: [{ match_phrase: { message: 'a' } }, { match_phrase: { message: 'b' } }], minimum_should_match: 1 } });
    expect(es('NOT a')).toEqual({ bool: { must_not: [{ match_phrase: { message: 'a' } }] } });
  });

  it('resolves times and ranges, relative ones against one now', () => {
    expect(es('timestamp >= now-15m')).toEqual({ range: { timestamp: { gte: '2026-01-10T12:15:00.000Z' } } });
    expect(es('timestamp:[now-1d/d TO "2026-01-10T12:00:00Z"}')).toEqual({
      range: { timestamp: { gte: '2026-01-09T00:00:00.000Z', lt: '2026-01-10T12:00:00.000Z' } },
    });
    expect(es('receivedAt:"2026-01-10T12:00:00Z"')).toEqual({
      range: { receivedAt: { gte: '2026-01-10T12:00:00.000Z', lte: '2026-01-10T12:00:00.000Z' } },
    });
    expect(es('commit:[a TO *]')).toEqual({ range: { commit: { gte: 'a' } } });
    expect(() => es('timestamp > yesterday')).toThrow(/'yesterday' is not a time.* at position 12/);
  });

  it('refuses unknown fields and misplaced patterns with their position', () => {
    expect(() => es('level:error AND lvl:error')).toThrow(/unknown field 'lvl' .* at position 16/);
    expect(() => es('timestamp:2026*')).toThrow(/not a pattern at position 10/);
    expect(() => es('message:[a TO b]')).toThrow(/the message takes no range at position 0/);
  });

  it('maps field:* to exists and * to everything', () => {
    expect(es('traceId:*')).toEqual({ exists: { field: 'traceId' } });
    expect(es('message:*')).toEqual({ exists: { field: 'message' } });
    expect(es('*')).toEqual({ match_all: {} });
  });

  it('counts regex and wildcard clauses at any depth, and refuses more than the cap with invalid_query', () => {
    const clauses = (n: number) => Array.from({ length: n }, (_, i) => `message:/.*x[a-z]{10}y${i}.*/`).join(' OR ');
    expect(countPatternClauses(es(`${clauses(3)} AND resourceId:api-* AND NOT level:error`))).toBe(4);
    expect(() => assertPatternBudget([es(clauses(16))], 16)).not.toThrow();
    expect(() => assertPatternBudget([es(clauses(200))], 16)).toThrow(
      expect.objectContaining({
        status: 400,
        code: 'invalid_query',
        details: [expect.objectContaining({ field: 'q', rule: 'max_pattern_clauses' })],
      }),
    );
  });
});
