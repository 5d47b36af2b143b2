import { parseQuery } from '@logflow/common';
import { describe, expect, it } from 'vitest';
import { composeQuery, filterClause, userQueryPosition, withFilter } from './field-filter.ts';

describe('field filters', () => {
  it('quotes values so that any character is taken literally', () => {
    expect(filterClause({ field: 'resourceId', value: 'server-1*', exclude: false })).toBe('resourceId:"server-1*"');
    expect(filterClause({ field: 'message', value: 'say "hi" \\o/', exclude: true })).toBe('NOT message:"say \\"hi\\" \\\\o/"');
    const parsed = parseQuery(filterClause({ field: 'message', value: 'say "hi" \\o/ (a OR b)', exclude: false }));
    expect(parsed).toMatchObject({ type: 'match', field: 'message', value: { kind: 'phrase', text: 'say "hi" \\o/ (a OR b)' } });
  });

  it('keeps the user query together and ANDs the filters to it', () => {
    const filters = [{ field: 'level', value: 'error', exclude: true }];
    expect(composeQuery('a OR b', filters)).toBe('(a OR b) AND NOT level:"error"');
    expect(composeQuery('  ', filters)).toBe('NOT level:"error"');
    expect(composeQuery('x', [])).toBe('(x)');
    expect(parseQuery(composeQuery('a OR b', filters))).toMatchObject({ type: 'and' });
  });

  it('maps an error position of the composed query back into the user query', () => {
    const user = 'level:loud OR x';
    const composed = composeQuery(user, [{ field: 'resourceId', value: 'r', exclude: false }]);
    expect(composed.indexOf('level')).toBe(1);
    expect(userQueryPosition(user, 1)).toBe(0);
    expect(userQueryPosition(user, composed.length)).toBe(user.length);
  });

  it('replaces a filter on the same value instead of adding a contradicting one', () => {
    const one = withFilter([], { field: 'level', value: 'error', exclude: false });
    expect(withFilter(one, { field: 'level', value: 'error', exclude: true })).toEqual([{ field: 'level', value: 'error', exclude: true }]);
  });
});
