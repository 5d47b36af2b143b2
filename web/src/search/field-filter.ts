/** A chip under the query bar: one field must (or, excluded, must not) have one value. */
export interface FieldFilter {
  field: string;
  value: string;
  exclude: boolean;
}

/** The query language clause of a filter: a quoted value is exact on keyword fields and a phrase on the message. */
export function filterClause(filter: FieldFilter): string {
  const quoted = `"${filter.value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
  return `${filter.exclude ? 'NOT ' : ''}${filter.field}:${quoted}`;
}

/**
 * The query sent to the API: the user's query in parentheses (so its ORs stay inside) and
 * every filter, all of which must hold.
 */
export function composeQuery(userQuery: string, filters: readonly FieldFilter[]): string {
  const parts = userQuery.trim() ? [`(${userQuery})`] : [];
  return [...parts, ...filters.map(filterClause)].join(' AND ');
}

/**
 * Where an error the API reported at `position` of the composed query lies in the user's own
 * query. The filters are always valid, so an error is in the user's part: one character in,
 * for the opening parenthesis.
 */
export function userQueryPosition(userQuery: string, position: number): number {
  if (!userQuery.trim()) return 0;
  return Math.min(userQuery.length, Math.max(0, position - 1));
}

export function sameFilter(a: FieldFilter, b: FieldFilter): boolean {
  return a.field === b.field && a.value === b.value;
}

/** Adds a filter, replacing one on the same field and value (a filter flipped to an exclusion). */
export function withFilter(filters: readonly FieldFilter[], added: FieldFilter): FieldFilter[] {
  return [...filters.filter((f) => !sameFilter(f, added)), added];
}
