import { afterEach, describe, expect, it, vi } from 'vitest';
import { searchPath } from '../api/log-params.ts';
import { startFirstSearch, takeFirstSearch } from './first-search.ts';
import { stateFromQuery } from './search-state.ts';

const PAGE = '/search?q=level%3Aerror&from=2001-01-01T00%3A00%3A00.000Z&to=2001-01-08T00%3A00%3A00.000Z';
const pathOf = (query: Record<string, string>) => searchPath(stateFromQuery(query));
const viewPath = pathOf({ q: 'level:error', from: '2001-01-01T00:00:00.000Z', to: '2001-01-08T00:00:00.000Z' });

function openPage(url: string, status = 200) {
  history.replaceState(null, '', url);
  const fetch = vi.fn(async () => new Response('{}', { status }));
  vi.stubGlobal('fetch', fetch);
  startFirstSearch();
  return fetch;
}

afterEach(() => {
  vi.unstubAllGlobals();
  sessionStorage.clear();
  // Drops a first search a test left unclaimed; '' matches no path, so there is no answer to await.
  void takeFirstSearch('');
});

describe('the first search, started before the app', () => {
  it("asks for the view's first page with the tab's key, and hands it to the view's first search once", async () => {
    sessionStorage.setItem('logflow.apiKey', 'lf_test');
    const fetch = openPage(PAGE);
    expect(fetch).toHaveBeenCalledWith(viewPath, { headers: { authorization: 'Bearer lf_test' } });
    expect((await takeFirstSearch(viewPath))?.status).toBe(200);
    expect(takeFirstSearch(viewPath)).toBeUndefined();
  });

  it('is not handed to a search for something else, nor to any search after that', () => {
    openPage(PAGE);
    expect(takeFirstSearch(pathOf({ q: 'level:warn' }))).toBeUndefined();
    expect(takeFirstSearch(viewPath)).toBeUndefined();
  });

  it('drops an answer refused for want of a key, so the view asks again after the login', async () => {
    openPage(PAGE, 401);
    expect(await takeFirstSearch(viewPath)).toBeUndefined();
  });

  it('asks nothing on other pages', () => {
    const fetch = openPage('/admin');
    expect(fetch).not.toHaveBeenCalled();
    expect(takeFirstSearch(viewPath)).toBeUndefined();
  });
});
