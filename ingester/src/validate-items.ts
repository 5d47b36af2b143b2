import type { z } from 'zod';
import { logEventSchema, type LogEvent } from '@logflow/core';
import { BrokenLine } from './body-parsers.ts';

export interface ItemError {
  /** Position in the request: array index or NDJSON line among the non-blank lines. */
  index: number;
  field: string;
  rule: string;
  message: string;
}

/**
 * An item refused before validation, with its reason: a foreign document that cannot be mapped
 * to a log, an operation LogFlow does not do. Reported like an invalid log; the others go on.
 */
export class RefusedItem {
  constructor(
    readonly field: string,
    readonly rule: string,
    readonly message: string,
  ) {}
}

export interface TimestampWindow {
  maxPastMs?: number | undefined;
  maxFutureMs?: number | undefined;
}

export interface ValidatedItems {
  valid: { index: number; event: LogEvent }[];
  errors: ItemError[];
}

function ruleOf(issue: z.core.$ZodIssue): string {
  const params = (issue as { params?: { rule?: string } }).params;
  return params?.rule ?? issue.code;
}

function windowError(event: LogEvent, window: TimestampWindow, now: number): Omit<ItemError, 'index'> | undefined {
  const at = Date.parse(event.timestamp);
  if (window.maxPastMs !== undefined && at < now - window.maxPastMs) {
    return { field: 'timestamp', rule: 'too_old', message: `timestamp is older than the accepted window (${window.maxPastMs / 1000}s)` };
  }
  if (window.maxFutureMs !== undefined && at > now + window.maxFutureMs) {
    return { field: 'timestamp', rule: 'too_far_ahead', message: `timestamp is further ahead than the accepted window (${window.maxFutureMs / 1000}s)` };
  }
  return undefined;
}

/** Validates each item on its own, so one bad log never hides the good ones beside it. */
export function validateItems(items: unknown[], window: TimestampWindow, now = Date.now()): ValidatedItems {
  const result: ValidatedItems = { valid: [], errors: [] };
  items.forEach((item, index) => {
    if (item instanceof BrokenLine) {
      result.errors.push({ index, field: '(line)', rule: 'invalid_json', message: `not valid JSON: ${item.reason}` });
      return;
    }
    if (item instanceof RefusedItem) {
      result.errors.push({ index, field: item.field, rule: item.rule, message: item.message });
      return;
    }
    const parsed = logEventSchema.safeParse(item);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        result.errors.push({ index, field: issue.path.join('.') || '(log)', rule: ruleOf(issue), message: issue.message });
      }
      return;
    }
    const outside = windowError(parsed.data, window, now);
    if (outside) result.errors.push({ index, ...outside });
    else result.valid.push({ index, event: parsed.data });
  });
  return result;
}
