import { describe, expect, it } from 'vitest';
import { stateFromQuery, stateToQuery, type SearchState } from './search-state.ts';
import { fromQueryString, toQueryString } from './url-query.ts';

describe('a view as a query string', () => {
  it('round-trips a search state, repeated filters included', () => {
    const state: SearchState = {
      q: 'a & b = "c"',
      levels: ['warn'],
      filters: [
        { field: 'resourceId', value: 'x?y', exclude: false },
        { field: 'traceId', value: 't#1', exclude: true },
      ],
      range: { kind: 'relative', preset: '7d' },
      sort: 'desc',
      columns: ['timestamp', 'message'],
      live: false,
      refresh: '',
    };
    const text = toQueryString(stateToQuery(state));
    expect(text).toContain('f=resourceId%3Ax%3Fy&f=-traceId%3At%231');
    expect(stateFromQuery(fromQueryString(text))).toEqual(state);
  });

  it('keeps a single value as a string and repeats as a list', () => {
    expect(fromQueryString('a=1&b=2&b=3')).toEqual({ a: '1', b: ['2', '3'] });
  });
});
