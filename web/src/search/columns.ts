import type { LogRecord } from '../api/logs.ts';

/** The log's own fields that can be columns; any `metadata.<key>` can be one too. */
export const BUILT_IN_COLUMNS = ['timestamp', 'level', 'resourceId', 'message', 'traceId', 'spanId', 'commit', 'receivedAt'] as const;

/** The names the query language gives metadata keys (word characters, '@' and '-'). */
const METADATA_COLUMN = /^metadata(\.[\w@-]+)+$/;

export function isColumn(name: string): boolean {
  return (BUILT_IN_COLUMNS as readonly string[]).includes(name) || (METADATA_COLUMN.test(name) && name.length <= 300);
}

/** A field's value in a log, `metadata.a.b` walking the metadata; objects and arrays as JSON, absent as ''. */
export function columnValue(log: LogRecord, column: string): string {
  let value: unknown = log;
  for (const part of column.split('.')) value = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[part] : undefined;
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects took the JSON branch: String() only meets primitives
  return String(value);
}

/** Adds a column at the end, or removes it; at least one column always stays. */
export function toggleColumn(columns: readonly string[], column: string): string[] {
  if (!columns.includes(column)) return [...columns, column];
  return columns.length > 1 ? columns.filter((c) => c !== column) : [...columns];
}
