import { sameFilter } from './field-filter.ts';
import type { SearchState } from './search-state.ts';

/** One thing the user asked for that may be why nothing matches, and the search without it. */
export interface Relaxation {
  /** What it is, in words: `resourceId is checkout-7f9c`, `the query "timeout"`, `level is error`. */
  label: string;
  /** The change to the state that drops it. */
  without: Partial<SearchState>;
}

/**
 * The parts of a search that could be dropped to get results: each filter, the query and the
 * levels, in the order the user sees them. The time range is not one: it is what is left.
 */
export function relaxations(state: SearchState): Relaxation[] {
  const found: Relaxation[] = state.filters.map((f) => ({
    label: `${f.field} ${f.exclude ? 'is not' : 'is'} ${f.value}`,
    without: { filters: state.filters.filter((other) => !sameFilter(other, f)) },
  }));
  if (state.q.trim()) found.push({ label: `the query ${state.q.trim()}`, without: { q: '' } });
  if (state.levels.length) found.push({ label: `level is ${state.levels.join(' or ')}`, without: { levels: [] } });
  return found;
}

/** The state with every relaxation applied: only the time range left. */
export function withoutAll(state: SearchState): SearchState {
  return { ...state, q: '', filters: [], levels: [] };
}
