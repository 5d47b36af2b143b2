import type { SqlResult } from '@logflow/common';
import { BUILT_IN_FIELDS } from '../search/autocomplete.ts';

/** Where Postgres put its error: 1-based, in `details.position` of the API's sql_error. */
export function sqlErrorPosition(details: unknown): number | undefined {
  const list: unknown[] = Array.isArray(details) ? details : [details];
  for (const d of list) {
    const position = (d as { position?: unknown } | null)?.position;
    if (typeof position === 'number' && position >= 1) return position;
  }
  return undefined;
}

/** The line of the statement holding a 1-based error position, split around its character. */
export function markSqlError(sql: string, position: number): { line: number; column: number; before: string; at: string; after: string } {
  const index = Math.min(sql.length, position - 1);
  const lineStart = sql.lastIndexOf('\n', index - 1) + 1;
  const lineEnd = sql.indexOf('\n', index) === -1 ? sql.length : sql.indexOf('\n', index);
  const line = sql.slice(0, lineStart).split('\n').length;
  return { line, column: index - lineStart + 1, before: sql.slice(lineStart, index), at: sql.slice(index, index + 1) || ' ', after: sql.slice(index + 1, lineEnd) };
}

// eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects took the JSON branch: String() only meets primitives
export const displayValue = (value: unknown) => (value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value ?? 'NULL'));

/** Pixels per character of the table's 13 px text, and the cell's padding. */
const CHAR_PX = 7.5;
const PADDING_PX = 28;

/** Column widths that fit the header and the first rows' values, within 64 to 480 px. */
export function columnWidths(result: Pick<SqlResult, 'columns' | 'rows'>, sample = 200): number[] {
  return result.columns.map((column, i) => {
    let chars = column.name.length;
    for (const row of result.rows.slice(0, sample)) chars = Math.max(chars, displayValue(row[i]).length);
    return Math.round(Math.min(480, Math.max(64, chars * CHAR_PX + PADDING_PX)));
  });
}

const isNumeric = (value: unknown) => (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value));

/**
 * A grouped result as bars: the first column whose values are all numbers (count(*) comes as
 * a string, bigint) against the first other column, for 2 to 100 rows. Undefined otherwise.
 */
export function groupedChart(result: Pick<SqlResult, 'columns' | 'rows'>): { label: string; value: string; bars: { name: string; value: number }[] } | undefined {
  const { columns, rows } = result;
  if (columns.length < 2 || rows.length < 2 || rows.length > 100) return undefined;
  const valueIndex = columns.findIndex((_, i) => rows.every((row) => isNumeric(row[i])));
  const labelIndex = columns.findIndex((_, i) => i !== valueIndex);
  if (valueIndex < 0 || labelIndex < 0) return undefined;
  return {
    label: columns[labelIndex].name,
    value: columns[valueIndex].name,
    bars: rows.map((row) => ({ name: displayValue(row[labelIndex]), value: Number(row[valueIndex]) })),
  };
}

const camel = (snake: string) => snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The search field a SQL column is (`resource_id` is `resourceId`), if it is one. */
export function searchNameOf(column: string): string | undefined {
  const name = camel(column);
  return name !== column && (BUILT_IN_FIELDS as readonly string[]).includes(name) ? name : undefined;
}
