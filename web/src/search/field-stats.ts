import type { FieldStat, TopValues } from '../api/logs.ts';

/**
 * Suggestions for a filter's value: the option's label is what the input receives when picked
 * (naive-ui's auto-complete writes the label), so it is the bare value; the count rides along
 * for display only.
 */
export function valueSuggestions(top: Pick<TopValues, 'values'>, typed: string): { label: string; value: string; count: number }[] {
  const needle = typed.toLowerCase();
  return top.values.filter((v) => v.value.toLowerCase().includes(needle)).map((v) => ({ label: v.value, value: v.value, count: v.count }));
}

/** The sidebar's groups: the log's own fields, then metadata, each narrowed to names containing `search`. */
export function groupFields(fields: readonly FieldStat[], search: string): { builtIn: FieldStat[]; metadata: FieldStat[] } {
  const needle = search.trim().toLowerCase();
  const shown = fields.filter((f) => f.field.toLowerCase().includes(needle));
  return { builtIn: shown.filter((f) => !f.field.startsWith('metadata.')), metadata: shown.filter((f) => f.field.startsWith('metadata.')) };
}

/** A value's share of the matching logs, as the sidebar's bar shows it: whole percents, "<1%" for a sliver. */
export function share(count: number, total: number): { percent: number; text: string } {
  if (total <= 0) return { percent: 0, text: '0%' };
  const percent = Math.min(100, (count / total) * 100);
  return { percent, text: percent > 0 && percent < 1 ? '<1%' : `${Math.round(percent)}%` };
}

/** Whether the sidebar can offer a value as a filter: dates match by range, not by one value. */
export function filterable(field: FieldStat): boolean {
  return field.type !== 'date' && field.values.length > 0;
}
