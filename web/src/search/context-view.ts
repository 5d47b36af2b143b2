import type { LogRecord } from '../api/logs.ts';
import { filterableFields } from './log-fields.ts';

/** Neighbours asked for on each side at first and added by each "load more". */
export const CONTEXT_STEP = 20;
/** The API's limit per side. */
export const CONTEXT_MAX = 500;

export function nextSize(current: number): number {
  return Math.min(CONTEXT_MAX, current + CONTEXT_STEP * Math.max(1, Math.floor(current / CONTEXT_STEP)));
}

/** The keys a context can follow: the usual ones, then every exact-value field the log has (its metadata included). */
export function contextKeyOptions(log: LogRecord | undefined): { label: string; value: string }[] {
  const names = ['resourceId', 'traceId', 'spanId', 'commit'];
  for (const f of log ? filterableFields(log) : []) if (f.field !== 'message' && !names.includes(f.field)) names.push(f.field);
  return names.map((name) => ({ label: name, value: name }));
}
