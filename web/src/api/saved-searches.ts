import { apiFetch } from './http.ts';

export interface SavedSearch {
  id: number;
  name: string;
  /** The search view's URL query, without the leading `?`. */
  query: string;
  savedAt: string;
}

export const listSavedSearches = () => apiFetch<{ savedSearches: SavedSearch[] }>('/api/saved-searches');
export const saveSearch = (name: string, query: string) => apiFetch<SavedSearch>('/api/saved-searches', { method: 'POST', json: { name, query } });
export const deleteSavedSearch = (id: number) => apiFetch<void>(`/api/saved-searches/${id}`, { method: 'DELETE' });
