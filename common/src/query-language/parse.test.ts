import { describe, expect, it } from 'vitest';
import { QuerySyntaxError } from './ast.ts';
import { parseQuery } from './parse.ts';

function syntaxError(query: string): QuerySyntaxError {
  try {
    parseQuery(query);
  } catch (error) {
    if (error instanceof QuerySyntaxError) return error;
    throw error;
  }
  throw new Error(`expected a syntax error for ${JSON.stringify(query)}`);
}

/** The tree without positions, to compare spellings of the same query. */
const shape = (query: string) => JSON.stringify(parseQuery(query), (key, value) => (key === 'position' || key === 'fieldPosition' ? undefined : value));

const term = (text: string, wildcard = false, pattern = text) => ({ kind: 'term', text, pattern, wildcard });

describe('query language parser', () => {
  it('reads the example Kibana users type', () => {
    expect(parseQuery('level:error AND resourceId:server-1* AND NOT "timed out"')).toEqual({
      type: 'and',
      children: [
        { type: 'match', field: 'level', fieldPosition: 0, value: term('error'), position: 6 },
        { type: 'match', field: 'resourceId', fieldPosition: 16, value: term('server-1*', true), position: 27 },
        { type: 'not', child: { type: 'match', field: null, fieldPosition: 45, value: { kind: 'phrase', text: 'timed out' }, position: 45 } },
      ],
    });
  });

  it('gives AND precedence over OR, NOT over AND, and parentheses over all', () => {
    expect(shape('a OR b AND c')).toBe(shape('a OR (b AND c)'));
    expect(shape('NOT a AND b')).toBe(shape('(NOT a) AND b'));
    expect(parseQuery('(a OR b) c')).toMatchObject({ type: 'and', children: [{ type: 'or' }, { type: 'match' }] });
  });

  it('treats adjacent clauses as AND and accepts KQL and symbol spellings of the operators', () => {
    expect(parseQuery('failed connect')).toMatchObject({ type: 'and', children: [{ value: term('failed') }, { value: term('connect') }] });
    expect(parseQuery('a and b or not c')).toMatchObject({ type: 'or', children: [{ type: 'and' }, { type: 'not' }] });
    expect(shape('a && b || !c')).toBe(shape('a AND b OR NOT c'));
    expect(parseQuery('-level:debug')).toMatchObject({ type: 'not', child: { field: 'level' } });
  });

  it('keeps hyphens, dots and slashes inside words; quoting or escaping makes operators literal', () => {
    expect(parseQuery('resourceId:server-1234')).toMatchObject({ value: term('server-1234') });
    expect(parseQuery('metadata.parentResourceId:server-0987')).toMatchObject({ field: 'metadata.parentResourceId' });
    expect(parseQuery('"and"')).toMatchObject({ value: { kind: 'phrase', text: 'and' } });
    expect(parseQuery('\\AND')).toMatchObject({ value: term('AND') });
    expect(parseQuery('a\\:b')).toMatchObject({ field: null, value: term('a:b') });
  });

  it('keeps escaped wildcard characters literal in the pattern', () => {
    expect(parseQuery('commit:ab\\*c*')).toMatchObject({ value: { kind: 'term', text: 'ab*c*', pattern: 'ab\\*c*', wildcard: true } });
  });

  it('reads phrases with escaped quotes and regular expressions with flags', () => {
    expect(parseQuery('"say \\"hi\\""')).toMatchObject({ value: { kind: 'phrase', text: 'say "hi"' } });
    expect(parseQuery('message:/fail(ed|ure) to .*/i')).toMatchObject({
      field: 'message',
      value: { kind: 'regex', pattern: 'fail(ed|ure) to .*', caseInsensitive: true },
    });
    expect(parseQuery('resourceId:/a\\/b\\d/')).toMatchObject({ value: { kind: 'regex', pattern: 'a/b\\d', caseInsensitive: false } });
  });

  it('reads field groups, exists, comparisons and bracket ranges', () => {
    expect(parseQuery('level:(error OR fatal)')).toMatchObject({
      type: 'or',
      children: [
        { field: 'level', value: term('error') },
        { field: 'level', value: term('fatal') },
      ],
    });
    expect(parseQuery('traceId:*')).toEqual({ type: 'exists', field: 'traceId', fieldPosition: 0 });
    expect(parseQuery('*')).toEqual({ type: 'all' });
    expect(parseQuery('   ')).toEqual({ type: 'all' });
    expect(parseQuery('timestamp >= now-15m')).toEqual({
      type: 'range',
      field: 'timestamp',
      fieldPosition: 0,
      lower: { value: 'now-15m', inclusive: true, position: 13 },
    });
    expect(parseQuery('timestamp:<"2023-09-15T08:00:00Z"')).toMatchObject({ upper: { value: '2023-09-15T08:00:00Z', inclusive: false } });
    expect(parseQuery('timestamp:[now-1h TO *}')).toMatchObject({ lower: { value: 'now-1h', inclusive: true } });
    expect(parseQuery('commit:{a TO b]')).toMatchObject({ lower: { value: 'a', inclusive: false }, upper: { value: 'b', inclusive: true } });
  });

  it.each([
    ['level:error AND', 15, 'expected a clause after AND'],
    ['AND level:error', 0, 'unexpected AND'],
    ['level:error)', 11, "unexpected ')'"],
    ['(level:error', 12, "expected ')' to close the one at position 0"],
    ['level:(error OR', 15, 'expected a clause after OR'],
    ['message:"Failed to', 8, 'unterminated phrase'],
    ['message:/abc', 8, 'unterminated regular expression'],
    ['message:/abc/x', 13, "only the flag 'i'"],
    ['level: AND x', 7, "expected a value after 'level:'"],
    ['level:', 6, "expected a value after 'level:', found end of query"],
    ['timestamp:[a b]', 13, 'expected TO'],
    ['timestamp:[a TO b', 17, "expected ']' or '}'"],
    ['a NOT', 5, 'expected a clause after NOT'],
    ['abc\\', 3, 'a backslash must escape a character'],
    [`${'('.repeat(70)}a${')'.repeat(70)}`, 64, 'nested more than 64 levels deep'],
    [`${'NOT '.repeat(70)}a`, 256, 'nested more than 64 levels deep'],
  ])('reports %j as a syntax error at position %i', (query, position, message) => {
    const error = syntaxError(query);
    expect(error.position).toBe(position);
    expect(error.message).toContain(message);
    expect(error.message).toContain(`at position ${position}`);
  });
});
