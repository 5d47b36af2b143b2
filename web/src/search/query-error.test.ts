import { describe, expect, it } from 'vitest';
import { composeQuery } from './field-filter.ts';
import { queryErrorFromApi } from './query-error.ts';

describe('query errors where the user typed them', () => {
  it('moves an error found by the server (an unknown field) back into the user query, words included', () => {
    const user = 'levl:error';
    // The server parsed composeQuery(): its field starts one character in, after the '('.
    expect(composeQuery(user, []).indexOf('levl')).toBe(1);
    const error = queryErrorFromApi(user, "q: unknown field 'levl' (fields: level, …) at position 1", 1);
    expect(error).toEqual({ message: "unknown field 'levl' (fields: level, …) at position 0", position: 0 });
  });

  it('reports a syntax error of a query opened from a link by the user text, not the composed one', () => {
    const user = 'level:error AND';
    const composed = composeQuery(user, [{ field: 'resourceId', value: 'a', exclude: false }]);
    const error = queryErrorFromApi(user, `q: expected a clause after AND (at 13), found ')' at position ${composed.indexOf(')')}`, composed.indexOf(')'));
    expect(error).toEqual({ message: 'expected a clause after AND (at 12), found end of query at position 15', position: 15 });
  });
});
