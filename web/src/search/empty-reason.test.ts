import { describe, expect, it } from 'vitest';
import { relaxations, withoutAll } from './empty-reason.ts';
import { defaultState } from './search-state.ts';

describe('why a search is empty', () => {
  it('names each filter, the query and the levels, each with the search without it', () => {
    const state = {
      ...defaultState(),
      q: ' timeout ',
      levels: ['error', 'fatal'],
      filters: [
        { field: 'resourceId', value: 'checkout-7f9c', exclude: false },
        { field: 'metadata.region', value: 'eu', exclude: true },
      ],
    };
    const found = relaxations(state);
    expect(found.map((r) => r.label)).toEqual(['resourceId is checkout-7f9c', 'metadata.region is not eu', 'the query timeout', 'level is error or fatal']);
    expect(found[0].without).toEqual({ filters: [state.filters[1]] });
    expect(found[2].without).toEqual({ q: '' });
    expect(found[3].without).toEqual({ levels: [] });
    expect(withoutAll(state)).toMatchObject({ q: '', levels: [], filters: [], range: state.range });
  });

  it('has nothing to name when only the time range is left', () => {
    expect(relaxations(defaultState())).toEqual([]);
  });
});
