import { searchPath } from '../api/log-params.ts';
import { storedApiKey } from '../auth/stored-key.ts';
import { stateFromQuery } from './search-state.ts';
import { fromQueryString } from './url-query.ts';

interface EarlySearch {
  path: string;
  answer: Promise<Response | undefined>;
}

declare global {
  interface Window {
    /** Left by the early script for the app, which is bundled apart from it. */
    logflowFirstSearch?: EarlySearch;
  }
}

/**
 * Asks for the search view's first page straight from the page's URL, from a script that runs
 * before the app's (vite-plugins.ts): the request then runs while the app's large scripts load
 * and compile, instead of after them.
 */
export function startFirstSearch(): void {
  if (location.pathname !== '/search') return;
  const path = searchPath(stateFromQuery(fromQueryString(location.search)));
  const key = storedApiKey();
  const answer = fetch(path, { headers: key ? { authorization: `Bearer ${key}` } : {} }).then(
    // Refused (no key yet, or a stale one) or failed: the view asks again itself, after a login if need be.
    (response) => (response.status === 401 ? undefined : response),
    () => undefined,
  );
  window.logflowFirstSearch = { path, answer };
}

/**
 * The early answer if `path` is what it asked for. Only the first search may take it: any later
 * one (another query, a page visited again) would get a stale answer.
 */
export function takeFirstSearch(path: string): Promise<Response | undefined> | undefined {
  const early = window.logflowFirstSearch;
  delete window.logflowFirstSearch;
  return early?.path === path ? early.answer : undefined;
}
