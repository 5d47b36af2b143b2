/** An API query string from parameters; undefined and empty values are left out, lists repeat their key. */
export function queryString(params: Record<string, string | string[] | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === '') continue;
    for (const v of [value].flat()) search.append(key, String(v));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
