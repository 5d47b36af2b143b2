import type { LocationQuery, LocationQueryRaw } from 'vue-router';

/** A router query as a URL query string (repeated keys for lists), for storing a view. */
export function toQueryString(query: LocationQueryRaw): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const v of [value].flat()) if (v !== undefined && v !== null) params.append(key, String(v));
  }
  return params.toString();
}

/** The router query a stored query string stands for. */
export function fromQueryString(text: string): LocationQuery {
  const query: LocationQuery = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const existing = query[key];
    query[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return query;
}
