import { LOG_LEVELS } from '@logflow/common';

/** What is being typed at the cursor: a field name, or a value of a field (after `field:`). */
export type CompletionContext = { kind: 'field'; prefix: string; start: number; end: number } | { kind: 'value'; field: string; prefix: string; start: number; end: number };

export interface Suggestion {
  /** What the list shows. */
  label: string;
  /** What replaces the word at the cursor. */
  insert: string;
  /** Logs with this value in the current search, for a value. */
  count?: number;
}

/** The fields every log has; `metadata.*` ones come from the logs in view. */
export const BUILT_IN_FIELDS = ['level', 'message', 'resourceId', 'traceId', 'spanId', 'commit', 'timestamp', 'receivedAt', 'id'] as const;

const WORD_CHAR = /[^\s()[\]{}":<>]/;
const FIELD_NAME = /^[\w@.-]+$/;
const OPERATORS = new Set(['and', 'or', 'not', 'to']);

/** The word (or opened quote) that ends at `cursor`, and whether it follows `field:`. */
export function completionContext(query: string, cursor: number): CompletionContext | undefined {
  let start = cursor;
  while (start > 0 && WORD_CHAR.test(query[start - 1])) start -= 1;
  let end = cursor;
  while (end < query.length && WORD_CHAR.test(query[end])) end += 1;
  // Inside an opened quote (an odd number of quotes before the cursor) right after `field:`, a value is being typed too.
  const quoted = query.lastIndexOf('"', cursor - 1);
  if (quoted > 0 && query.slice(0, cursor).split('"').length % 2 === 0 && query[quoted - 1] === ':') {
    start = quoted;
    const closing = query.indexOf('"', cursor);
    end = closing >= 0 ? closing + 1 : cursor;
  }
  let prefix = query.slice(start, cursor);
  if (query[start - 1] === ':') {
    let fieldStart = start - 1;
    while (fieldStart > 0 && WORD_CHAR.test(query[fieldStart - 1])) fieldStart -= 1;
    const field = query.slice(fieldStart, start - 1).replace(/^[-!]/, '');
    if (!FIELD_NAME.test(field)) return undefined;
    return { kind: 'value', field, prefix: prefix.replace(/^"/, ''), start, end };
  }
  // A leading - or ! negates the clause; the name starts after it.
  if (/^[-!]/.test(prefix)) {
    start += 1;
    prefix = prefix.slice(1);
  }
  if (!prefix || !FIELD_NAME.test(prefix) || OPERATORS.has(prefix.toLowerCase())) return undefined;
  return { kind: 'field', prefix, start, end };
}

/** A value as the query language needs it: bare when it is one plain word, quoted otherwise. */
export function quoteValue(value: string): string {
  return /^[\w.@/-]+$/.test(value) && !/^(and|or|not|to)$/i.test(value) ? value : `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

const startsWithFolded = (text: string, prefix: string) => text.toLowerCase().startsWith(prefix.toLowerCase());

/** Field names starting with the prefix, built-in first; nothing when the prefix is already a whole field. */
export function fieldSuggestions(prefix: string, metadataFields: readonly string[]): Suggestion[] {
  const names = [...BUILT_IN_FIELDS, ...[...new Set(metadataFields)].sort()];
  return names.filter((name) => startsWithFolded(name, prefix) && name !== prefix).map((name) => ({ label: name, insert: `${name}:` }));
}

/** Values of a field starting with the prefix: the levels for `level`, else the field's top values. */
export function valueSuggestions(field: string, prefix: string, topValues: readonly { value: string; count: number }[]): Suggestion[] {
  const values = field === 'level' ? LOG_LEVELS.map((value) => ({ value, count: undefined })) : topValues;
  return values
    .filter(({ value }) => startsWithFolded(value, prefix) && value !== prefix)
    .map(({ value, count }) => ({ label: value, insert: `${quoteValue(value)} `, ...(count !== undefined && { count }) }));
}

/** The query with the word at the cursor replaced by a suggestion, and where the cursor goes. */
export function applySuggestion(query: string, context: CompletionContext, suggestion: Suggestion): { query: string; cursor: number } {
  const before = query.slice(0, context.start) + suggestion.insert;
  const after = query.slice(context.end).replace(suggestion.insert.endsWith(' ') ? /^ +/ : /^$/, '');
  return { query: before + after, cursor: before.length };
}
