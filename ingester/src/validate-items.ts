import type { z } from 'zod';
import { acceptParsedLog, acceptTypedLog, logEventSchema, type LogEvent, type TypedLogFields } from '@logflow/core';
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

/**
 * A log a protocol's mapper built, its fields typed by construction (JSON.parse never makes
 * one): checked by acceptTypedLog, and by the schema only when a rule breaks, for its words.
 */
export class MappedLog {
  constructor(readonly log: TypedLogFields) {}
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
  // No window (the default): no date to parse.
  if (window.maxPastMs === undefined && window.maxFutureMs === undefined) return undefined;
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
    // The schema runs only for a log the fast checks do not accept: it names what is wrong.
    const event = item instanceof MappedLog ? (acceptTypedLog(item.log) ?? validateLog(item.log, index, result.errors)) : (acceptParsedLog(item) ?? validateLog(item, index, result.errors));
    if (event === undefined) return;
    const outside = windowError(event, window, now);
    if (outside) result.errors.push({ index, ...outside });
    else result.valid.push({ index, event });
  });
  return result;
}

/** The schema's verdict on one log: the event, or undefined with each broken rule added to `errors`. */
function validateLog(item: unknown, index: number, errors: ItemError[]): LogEvent | undefined {
  const parsed = logEventSchema.safeParse(item);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    errors.push({ index, field: issue.path.join('.') || '(log)', rule: ruleOf(issue), message: issue.message });
  }
  return undefined;
}
