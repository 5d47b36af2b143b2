import type { AuditRow } from '../api/keys.ts';

export const AUDIT_PAGE_SIZE = 50;

/**
 * The `before` that asks for the rows after `page` (the API pages by id, newest first): its
 * oldest row's id, or undefined when the page was not full, so nothing older exists.
 */
export function nextBefore(page: readonly AuditRow[], pageSize: number): number | undefined {
  return page.length < pageSize ? undefined : page.at(-1)?.id;
}

/**
 * An audit row's parameters on one line: the parts a request had (path, query, body), empty ones
 * left out; rows written by the CLI hold its input as is.
 */
export function paramsText(params: Record<string, unknown>): string {
  const present = Object.entries(params).filter(([, value]) => value !== null && !(typeof value === 'object' && Object.keys(value).length === 0));
  return present.length ? JSON.stringify(Object.fromEntries(present)) : '';
}

export const OUTCOME_TAG: Record<AuditRow['outcome'], 'success' | 'warning' | 'error' | 'info'> = { ok: 'success', denied: 'warning', failed: 'error', started: 'info' };
