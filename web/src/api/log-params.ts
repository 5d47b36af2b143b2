import { composeQuery } from '../search/field-filter.ts';
import { effectiveLevels } from '../search/level-rule.ts';
import type { SearchState } from '../search/search-state.ts';
import { apiTimeParams } from '../search/time-range.ts';
import { queryString } from './query-string.ts';

/** The filters every log route takes, from the search view's state. */
export function filterParams(state: SearchState, withTime = true): Record<string, string | string[] | undefined> {
  const levels = effectiveLevels(state.q, state.levels);
  return {
    q: composeQuery(state.q, state.filters) || undefined,
    level: levels.length ? levels : undefined,
    ...(withTime && apiTimeParams(state.range)),
  };
}

export const PAGE_SIZE = 200;

export function searchPath(state: SearchState, cursor?: string, size = PAGE_SIZE): string {
  return `/api/logs/search${queryString({ ...filterParams(state), sort: state.sort, size: String(size), cursor })}`;
}
