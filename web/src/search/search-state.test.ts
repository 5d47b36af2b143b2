import type { LocationQuery } from 'vue-router';
import { describe, expect, it } from 'vitest';
import { defaultState, stateFromQuery, stateToQuery, type SearchState } from './search-state.ts';

/** What the router hands back after navigating to `stateToQuery(state)`. */
function roundTrip(state: SearchState): SearchState {
  const raw = stateToQuery(state);
  const query = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)])) as LocationQuery;
  return stateFromQuery(query);
}

describe('search state in the URL', () => {
  it('leaves defaults out', () => {
    expect(stateToQuery(defaultState())).toEqual({});
    expect(stateFromQuery({})).toEqual(defaultState());
  });

  it('round-trips every piece of state', () => {
    const state: SearchState = {
      q: 'level:error AND "timed out"',
      levels: ['error', 'fatal'],
      filters: [
        { field: 'resourceId', value: 'server:1', exclude: false },
        { field: 'metadata.region', value: 'eu-west', exclude: true },
      ],
      range: { kind: 'absolute', from: Date.UTC(2023, 8, 15, 8), to: Date.UTC(2023, 8, 15, 9) },
      sort: 'asc',
      columns: ['timestamp', 'message', 'traceId'],
      live: true,
      contextOf: '0190a0a0-0000-7000-8000-000000000000',
      refresh: '30s',
    };
    expect(roundTrip(state)).toEqual(state);
    expect(roundTrip({ ...defaultState(), range: { kind: 'relative', preset: '7d' } }).range).toEqual({ kind: 'relative', preset: '7d' });
  });

  it('keeps a typed relative range and an auto-refresh interval in the URL', () => {
    const state: SearchState = { ...defaultState(), range: { kind: 'expression', from: 'now-3h', to: 'now' }, refresh: '10s' };
    expect(stateToQuery(state)).toEqual({ from: 'now-3h', refresh: '10s' });
    expect(roundTrip(state)).toEqual(state);
    expect(roundTrip({ ...state, range: { kind: 'expression', from: 'now-1d/d', to: 'now/d' } }).range).toEqual({ kind: 'expression', from: 'now-1d/d', to: 'now/d' });
    expect(stateFromQuery({ refresh: '7s' }).refresh).toBe('');
  });

  it('ignores what it does not know instead of failing', () => {
    const state = stateFromQuery({ level: 'error,loud', cols: 'nope', range: '3y', f: ['novalue', ':x'], from: 'x', to: 'y' });
    expect(state).toEqual({ ...defaultState(), levels: ['error'] });
  });
});
