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
const logIdSchema = z.uuid();
const timestampSchema = z.iso.datetime({ offset: true, error: 'expected an ISO-8601 date-time with an offset, e.g. 2023-09-15T08:00:00Z' });

interface LimitIssue {
  path: PropertyKey[];
  rule: string;
  message: string;
}

/** A node the walker still has to visit; its path is rebuilt from `parent` only for a refusal. */
interface WalkNode {
  value: unknown;
  key: PropertyKey;
  parent: WalkNode | undefined;
  depth: number;
}

function pathOf(node: WalkNode): PropertyKey[] {
  const path: PropertyKey[] = [];
  for (let at: WalkNode | undefined = node; at; at = at.parent) path.push(at.key);
  return path.reverse();
}

/**
 * Walks metadata without recursion (a hostile body can nest thousands of levels) and reports
 * the first limit it breaks: depth, total keys, key length or string length. Paths are built
 * only for the refusal: building one per node cost more than the checks.
 */
export function findMetadataLimitIssue(metadata: Record<string, unknown>): LimitIssue | undefined {
  let keys = 0;
  const stack: WalkNode[] = [{ value: metadata, key: 'metadata', parent: undefined, depth: 1 }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const { value, depth } = node;
    if (typeof value === 'string') {
      if (value.length > LOG_LIMITS.metadataStringChars) {
        return { path: pathOf(node), rule: 'too_big', message: `string longer than ${LOG_LIMITS.metadataStringChars} characters` };
      }
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth > LOG_LIMITS.metadataDepth) {
      return { path: pathOf(node), rule: 'max_depth', message: `metadata nested deeper than ${LOG_LIMITS.metadataDepth} levels` };
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) stack.push({ value: value[i], key: i, parent: node, depth: depth + 1 });
      continue;
    }
    for (const key of Object.keys(value)) {
      keys += 1;
      if (keys > LOG_LIMITS.metadataKeys) {
        return { path: ['metadata'], rule: 'max_keys', message: `metadata has more than ${LOG_LIMITS.metadataKeys} keys in all` };
      }
      if (key.length > LOG_LIMITS.metadataKeyChars) {
        return { path: [...pathOf(node), key], rule: 'too_big', message: `key longer than ${LOG_LIMITS.metadataKeyChars} characters` };
      }
      stack.push({ value: (value as Record<string, unknown>)[key], key, parent: node, depth: depth + 1 });
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
    id: logIdSchema.optional(),
    level: z
      .string()
      .max(16)
      .transform((s) => s.toLowerCase())
      .pipe(z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` })),
    message: z.string().min(1).max(LOG_LIMITS.messageChars),
    timestamp: timestampSchema,
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

/** A log a protocol's mapper built field by field: each field already has its type, metadata is a plain object of JSON values. */
export interface TypedLogFields {
  id?: string | undefined;
  level: LogLevel;
  message: string;
  timestamp: string;
  resourceId?: string | undefined;
  traceId?: string | undefined;
  spanId?: string | undefined;
  commit?: string | undefined;
  metadata: Record<string, unknown>;
}

const KNOWN_LEVELS = new Set<string>(LOG_LEVELS);
const isIdentifier = (value: unknown) => value === undefined || (typeof value === 'string' && value.length >= 1 && value.length <= LOG_LIMITS.identifierChars);

/**
 * logEventSchema's answer for a log whose fields already have their types: the log itself when
 * it keeps every rule (the same limits, the same formats through the same field schemas),
 * undefined when the schema must decide and name what is wrong. It spares a mapped log zod's
 * per-field and per-key work, which cost more than mapping it; its unit test holds it to the schema.
 */
export function acceptTypedLog(log: TypedLogFields): LogEvent | undefined {
  const { metadata } = log;
  const ok =
    KNOWN_LEVELS.has(log.level) &&
    typeof log.message === 'string' &&
    log.message.length >= 1 &&
    log.message.length <= LOG_LIMITS.messageChars &&
    isIdentifier(log.resourceId) &&
    isIdentifier(log.traceId) &&
    isIdentifier(log.spanId) &&
    isIdentifier(log.commit) &&
    typeof metadata === 'object' &&
    metadata !== null &&
    Object.getPrototypeOf(metadata) === Object.prototype &&
    (log.id === undefined || logIdSchema.safeParse(log.id).success) &&
    timestampSchema.safeParse(log.timestamp).success &&
    findMetadataLimitIssue(metadata) === undefined;
  return ok ? log : undefined;
}

/**
 * logEventSchema's answer for a log as JSON.parse made it (a plain object; values of any JSON
 * type): the same event when every rule holds, undefined when the schema must decide and name
 * what is wrong. Unknown top-level fields join a copy of its metadata as the schema's transform
 * puts them; a clash is left to the schema. It spares each log of a batch zod's walk (a new
 * object per level, per field, and per metadata key), the largest share of POST /logs after
 * Kafka's encoding; its unit test holds it to the schema.
 */
export function acceptParsedLog(item: unknown): LogEvent | undefined {
  if (typeof item !== 'object' || item === null || Object.getPrototypeOf(item) !== Object.prototype) return undefined;
  const fields = item as Record<string, unknown>;
  const given = fields.metadata;
  if (given !== undefined && (typeof given !== 'object' || given === null || Object.getPrototypeOf(given) !== Object.prototype)) return undefined;
  const metadata: Record<string, unknown> = { ...(given as Record<string, unknown> | undefined) };
  for (const key of Object.keys(fields)) {
    if (KNOWN_FIELDS.has(key)) continue;
    if (key in metadata) return undefined;
    metadata[key] = fields[key];
  }
  const { level } = fields;
  return acceptTypedLog({
    id: fields.id as string | undefined,
    level: (typeof level === 'string' && level.length <= 16 && !KNOWN_LEVELS.has(level) ? level.toLowerCase() : level) as LogLevel,
    message: fields.message as string,
    timestamp: fields.timestamp as string,
    resourceId: fields.resourceId as string | undefined,
    traceId: fields.traceId as string | undefined,
    spanId: fields.spanId as string | undefined,
    commit: fields.commit as string | undefined,
    metadata,
  });
}

/** What travels on Kafka and is stored in both sinks. */
export interface LogRecord extends Omit<LogEvent, 'id'> {
  id: string;
  receivedAt: string;
}

/** UTC to the second or the millisecond: already the stored form, or it with `.000` added. */
const UTC_SECONDS_OR_MILLIS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{3})?Z$/;

/**
 * A valid timestamp (it passed timestampSchema, so its date exists) as UTC with millisecond
 * precision. Date's toISOString costs ~2 µs, as much as the rest of the record: the forms
 * clients send most (`…:00Z`, `….123Z`) are written directly; Date makes the others.
 */
export function storedTimestamp(timestamp: string): string {
  if (!UTC_SECONDS_OR_MILLIS.test(timestamp)) return new Date(timestamp).toISOString();
  return timestamp.length === 20 ? `${timestamp.slice(0, 19)}.000Z` : timestamp;
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
    timestamp: storedTimestamp(event.timestamp),
    resourceId: event.resourceId,
    traceId: event.traceId,
    spanId: event.spanId,
    commit: event.commit,
    metadata: event.metadata,
  };
}
