import { LOG_LEVELS, type LogLevel } from '@logflow/common';
import { z } from 'zod';

/** Caps on what one log may carry; each refusal names the field and the rule. */
export const LOG_LIMITS = {
  messageChars: 65_536,
  identifierChars: 512,
  metadataDepth: 20,
  metadataKeys: 1_000,
  metadataKeyChars: 256,
  metadataStringChars: 32_768,
} as const;

const KNOWN_FIELDS = new Set(['id', 'level', 'message', 'resourceId', 'timestamp', 'traceId', 'spanId', 'commit', 'metadata']);
const identifier = z.string().min(1).max(LOG_LIMITS.identifierChars);

interface LimitIssue {
  path: PropertyKey[];
  rule: string;
  message: string;
}

/**
 * Walks metadata without recursion (a hostile body can nest thousands of levels) and reports
 * the first limit it breaks: depth, total keys, key length or string length.
 */
export function findMetadataLimitIssue(metadata: Record<string, unknown>): LimitIssue | undefined {
  let keys = 0;
  const stack: { value: unknown; path: PropertyKey[]; depth: number }[] = [{ value: metadata, path: ['metadata'], depth: 1 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.length > LOG_LIMITS.metadataStringChars) {
        return { path, rule: 'too_big', message: `string longer than ${LOG_LIMITS.metadataStringChars} characters` };
      }
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth > LOG_LIMITS.metadataDepth) {
      return { path, rule: 'max_depth', message: `metadata nested deeper than ${LOG_LIMITS.metadataDepth} levels` };
    }
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
    for (const [key, child] of entries) {
      if (typeof key === 'string') {
        keys += 1;
        if (keys > LOG_LIMITS.metadataKeys) {
          return { path: ['metadata'], rule: 'max_keys', message: `metadata has more than ${LOG_LIMITS.metadataKeys} keys in all` };
        }
        if (key.length > LOG_LIMITS.metadataKeyChars) {
          return { path: [...path, key], rule: 'too_big', message: `key longer than ${LOG_LIMITS.metadataKeyChars} characters` };
        }
      }
      stack.push({ value: child, path: [...path, key], depth: depth + 1 });
    }
  }
  return undefined;
}

/**
 * One log as a client sends it (the seed's `example_log.json`). Unknown top-level fields are
 * kept under `metadata` rather than dropped; a clash with an existing metadata key is refused.
 * Values come from JSON.parse, so `unknown` there is JSON; its size is checked by the walker.
 */
export const logEventSchema = z
  .object({
    id: z.uuid().optional(),
    level: z
      .string()
      .max(16)
      .transform((s) => s.toLowerCase())
      .pipe(z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` })),
    message: z.string().min(1).max(LOG_LIMITS.messageChars),
    timestamp: z.iso.datetime({ offset: true, error: 'expected an ISO-8601 date-time with an offset, e.g. 2023-09-15T08:00:00Z' }),
    resourceId: identifier.optional(),
    traceId: identifier.optional(),
    spanId: identifier.optional(),
    commit: identifier.optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .catchall(z.unknown())
  .transform((event, ctx) => {
    const metadata: Record<string, unknown> = { ...event.metadata };
    const known: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(event)) {
      if (KNOWN_FIELDS.has(key)) {
        known[key] = value;
      } else if (key in metadata) {
        ctx.addIssue({ code: 'custom', path: [key], message: `unknown field also present as metadata.${key}` });
      } else {
        metadata[key] = value;
      }
    }
    const issue = findMetadataLimitIssue(metadata);
    if (issue) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message, params: { rule: issue.rule } });
    return { ...(known as unknown as LogEventCore), metadata };
  });

interface LogEventCore {
  id?: string;
  level: LogLevel;
  message: string;
  timestamp: string;
  resourceId?: string;
  traceId?: string;
  spanId?: string;
  commit?: string;
}

export type LogEvent = z.output<typeof logEventSchema>;

/** What travels on Kafka and is stored in both sinks. */
export interface LogRecord extends Omit<LogEvent, 'id'> {
  id: string;
  receivedAt: string;
}

/**
 * Timestamps are stored as UTC with millisecond precision, the resolution both stores share.
 * The record is built field by field: one fixed object shape keeps JSON.stringify on its
 * fast path, which the ingester's hot loop depends on.
 */
export function toLogRecord(event: LogEvent, id: string, receivedAt: string): LogRecord {
  return {
    id,
    receivedAt,
    level: event.level,
    message: event.message,
    timestamp: new Date(event.timestamp).toISOString(),
    resourceId: event.resourceId,
    traceId: event.traceId,
    spanId: event.spanId,
    commit: event.commit,
    metadata: event.metadata,
  };
}
