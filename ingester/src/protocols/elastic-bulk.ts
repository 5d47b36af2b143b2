import { z } from 'zod';
import { AppError, type TypedLogFields } from '@logflow/core';
import { BrokenLine } from '../body-parsers.ts';
import { MappedLog, RefusedItem, type ItemError } from '../validate-items.ts';

/**
 * Elasticsearch's bulk API, as far as a log pipeline can honestly answer it: `index` and
 * `create` add a log; `update` and `delete` would rewrite or remove a stored log, which LogFlow
 * never does, so each is refused on its own.
 */
export const BULK_OPERATIONS = ['index', 'create', 'update', 'delete'] as const;
export type BulkOperation = (typeof BULK_OPERATIONS)[number];

export interface BulkAction {
  operation: BulkOperation;
  /** The index the action or the URL names; undefined when neither does. */
  index: string | undefined;
  /** The action's `_id`, as sent. */
  id: string | undefined;
  /** The document, for `index` and `create`: a LogFlow log, or why it cannot be one. */
  item: Record<string, unknown> | RefusedItem;
  /** Where each LogFlow field came from, to name the document's own field in a refusal. */
  sources: Partial<Record<string, string>>;
}

/** Statuses of the request's items, in Elasticsearch's words. */
export interface BulkItemAnswer {
  _index: string;
  _id: string | null;
  status: number;
  result?: 'created';
  error?: { type: string; reason: string };
}

/** One item of the answer: its answer keyed by the action's operation. */
export type BulkItem = Partial<Record<BulkOperation, BulkItemAnswer>>;

/**
 * The action lines most shippers send, `{"index":{}}` and `{"create":{}}`, as the parser hands
 * them over without parsing each: one frozen object for all lines spelled so.
 */
export const EMPTY_ACTION_LINES: ReadonlyMap<string, unknown> = new Map(
  (['index', 'create'] as const).map((operation) => [JSON.stringify({ [operation]: {} }), Object.freeze({ [operation]: Object.freeze({}) })]),
);

const actionMetaSchema = z.object({ _index: z.string().min(1).max(255).optional(), _id: z.string().min(1).max(512).optional() }).loose();
const logIdSchema = z.uuid();

/** pino's numeric levels. */
const NUMERIC_LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
/** The names shippers and syslog use for LogFlow's levels. */
const LEVEL_SYNONYMS: Record<string, string> = {
  warning: 'warn',
  err: 'error',
  critical: 'fatal',
  crit: 'fatal',
  alert: 'fatal',
  emerg: 'fatal',
  emergency: 'fatal',
  panic: 'fatal',
  notice: 'info',
  informational: 'info',
};

/** Candidates for each LogFlow field, first present wins; the others stay in metadata. */
const FIELD_SOURCES = {
  timestamp: ['@timestamp', 'timestamp', 'time'],
  message: ['message', 'msg'],
  level: ['log.level', 'level', 'severity'],
  resourceId: ['service.name', 'resourceId'],
  traceId: ['trace.id', 'traceId'],
  spanId: ['span.id', 'spanId'],
  commit: ['commit'],
  id: ['id'],
} as const;

/** The same, each dotted name split once here rather than once per document. */
const CANDIDATES = Object.entries(FIELD_SOURCES).map(([field, names]) => ({
  field,
  names: names.map((name) => ({ name, head: name.split('.')[0]!, tail: name.includes('.') ? name.slice(name.indexOf('.') + 1) : undefined })),
}));

type Json = Record<string, unknown>;

/** The fields a log cannot go without, and the document's names for each (for the refusal). */
const REQUIRED = [
  ['timestamp', '@timestamp, timestamp or time'],
  ['message', 'message or msg'],
  ['level', 'log.level, level or severity'],
] as const;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function isEmpty(value: Json): boolean {
  for (const key in value) if (Object.hasOwn(value, key)) return false;
  return true;
}

function levelOf(value: unknown): unknown {
  if (typeof value === 'number') return NUMERIC_LEVELS[value] ?? value;
  if (typeof value !== 'string') return value;
  const lower = value.toLowerCase();
  return LEVEL_SYNONYMS[lower] ?? lower;
}

/** Elasticsearch takes epoch milliseconds for a date too. */
function timestampOf(value: unknown): unknown {
  if (typeof value === 'number' && Number.isFinite(value)) {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? value : date.toISOString();
  }
  return value;
}

/**
 * A foreign document as a LogFlow log (the shape `POST /logs` takes, validated after this).
 * `@timestamp`/`timestamp`/`time` (ISO-8601 or epoch ms; pino writes `time`), `message`/`msg`, `log.level`/`level`/
 * `severity` (names, syslog names or pino numbers), `service.name` → resourceId (else the
 * index), `trace.id`/`span.id` (ECS) and LogFlow's own top-level names; everything else goes
 * to metadata. The id: the action's `_id` when it is a UUID (a shipper's retry then carries
 * the same id and the log is kept once), otherwise the one LogFlow makes.
 */
export function mapDocument(source: unknown, index: string | undefined, actionId: string | undefined): Pick<BulkAction, 'item' | 'sources'> {
  const sources: Partial<Record<string, string>> = {};
  if (!isObject(source)) return { item: new RefusedItem('(document)', 'invalid_type', 'a document must be a JSON object'), sources };
  const log: Json = {};
  // What was taken: top-level names whole, and one key out of a nested parent (`log` of `log.level`).
  const takenNames: string[] = [];
  let takenTails: Partial<Record<string, string>> | undefined;
  for (const { field, names } of CANDIDATES) {
    for (const { name, head, tail } of names) {
      // Written flat (`"log.level": "info"`, as ECS loggers do) or nested (`{ "log": { "level": "info" } }`).
      if (Object.hasOwn(source, name)) {
        log[field] = source[name];
        takenNames.push(name);
      } else {
        const parent = tail === undefined ? undefined : source[head];
        if (!isObject(parent) || !Object.hasOwn(parent, tail!)) continue;
        log[field] = parent[tail!];
        (takenTails ??= {})[head] = tail;
      }
      sources[field] = name;
      break;
    }
  }
  for (const [field, names] of REQUIRED) {
    if (log[field] === undefined) return { item: new RefusedItem(field, 'required', `the document has no ${names}`), sources };
  }
  log.timestamp = timestampOf(log.timestamp);
  log.level = levelOf(log.level);
  if (log.resourceId === undefined && index !== undefined) {
    log.resourceId = index;
    sources.resourceId = '_index';
  }
  if (actionId !== undefined && logIdSchema.safeParse(actionId).success) {
    if (log.id !== undefined && log.id !== actionId) return { item: new RefusedItem('id', 'conflict', `the document's id ${JSON.stringify(log.id)} differs from the action's _id`), sources };
    log.id = actionId;
    sources.id = '_id';
  }

  // Everything else, in the document's order, into metadata. The document as sent is never
  // changed: a nested parent that gave a key is copied without it (and left out when empty).
  // The document's own metadata object is the log's as it is unless a key joins it: then a copy is.
  const ownMetadata = isObject(source.metadata);
  let metadata: Json = ownMetadata ? (source.metadata as Json) : {};
  let copied = !ownMetadata;
  for (const key of Object.keys(source)) {
    if ((ownMetadata && key === 'metadata') || takenNames.includes(key)) continue;
    let value = source[key];
    const tail = takenTails?.[key];
    if (tail !== undefined) {
      const { [tail]: _taken, ...others } = value as Json;
      if (Object.keys(others).length === 0) continue;
      value = others;
    }
    if (Object.hasOwn(metadata, key)) return { item: new RefusedItem(key, 'conflict', `field also present as metadata.${key}`), sources };
    if (!copied) {
      metadata = { ...metadata };
      copied = true;
    }
    metadata[key] = value;
  }
  log.metadata = metadata;
  return { item: log, sources };
}

const isOptionalString = (value: unknown) => value === undefined || typeof value === 'string';

/**
 * What validation gets for an action's item: a mapped log whose fields all have the types a
 * LogFlow log's fields have (the usual document) as a MappedLog, checked by acceptTypedLog with
 * the schema's own limits and formats, and by the schema itself whenever a rule breaks (so a
 * refusal names the same field and rule); anything else as it is, for the schema.
 */
export function toValidationItem(item: BulkAction['item']): unknown {
  if (item instanceof RefusedItem) return item;
  const { level, message, timestamp, metadata } = item;
  const typed =
    typeof level === 'string' &&
    typeof message === 'string' &&
    typeof timestamp === 'string' &&
    isObject(metadata) &&
    isOptionalString(item.id) &&
    isOptionalString(item.resourceId) &&
    isOptionalString(item.traceId) &&
    isOptionalString(item.spanId) &&
    isOptionalString(item.commit);
  // The mapping made `item` of LogFlow's field names only; the level is lowercased, and acceptTypedLog checks it is one of the six.
  return typed ? new MappedLog(item as unknown as TypedLogFields) : item;
}

/**
 * The bulk body (already split into NDJSON lines) as actions. A broken or unknown action line
 * refuses the whole request, as Elasticsearch does: the lines after it cannot be paired.
 */
export function parseBulkLines(lines: unknown[], pathIndex: string | undefined): BulkAction[] {
  const actions: BulkAction[] = [];
  for (let at = 0; at < lines.length; at++) {
    const line = lines[at];
    const keys = isObject(line) ? Object.keys(line) : [];
    const operation = keys[0] as BulkOperation;
    if (line instanceof BrokenLine || keys.length !== 1 || !BULK_OPERATIONS.includes(operation)) {
      throw new AppError(400, 'invalid_bulk_action', `line ${at + 1}: expected an action line { "index" | "create" | "update" | "delete": { … } }`);
    }
    const given = (line as Json)[operation];
    // Most shippers send `{ "index": {} }`: nothing to check there.
    const meta = isObject(given) && isEmpty(given) ? { success: true as const, data: {} as { _index?: string; _id?: string } } : actionMetaSchema.safeParse(given);
    if (!meta.success) throw new AppError(400, 'invalid_bulk_action', `line ${at + 1}: ${meta.error.issues.map((i) => `${i.path.join('.') || operation}: ${i.message}`).join('; ')}`);
    const index = meta.data._index ?? pathIndex;
    const id = meta.data._id;
    if (operation === 'delete') {
      actions.push({ operation, index, id, item: refusedOperation(operation), sources: {} });
      continue;
    }
    at += 1;
    if (at >= lines.length) throw new AppError(400, 'invalid_bulk_action', `line ${at}: the ${operation} action has no document line after it`);
    if (operation === 'update') {
      actions.push({ operation, index, id, item: refusedOperation(operation), sources: {} });
      continue;
    }
    const source = lines[at];
    if (source instanceof BrokenLine) {
      actions.push({ operation, index, id, item: new RefusedItem('(line)', 'invalid_json', `not valid JSON: ${source.reason}`), sources: {} });
      continue;
    }
    actions.push({ operation, index, id, ...mapDocument(source, index, id) });
  }
  if (actions.length === 0) throw new AppError(400, 'empty_bulk', 'the bulk body has no actions');
  return actions;
}

function refusedOperation(operation: 'update' | 'delete'): RefusedItem {
  return new RefusedItem('(action)', 'unsupported_operation', `${operation} is not supported: LogFlow never rewrites or removes a stored log; use index or create`);
}

/** Why an item was refused, naming the document's own field where the log's came from one. */
function reasonOf(errors: ItemError[], action: BulkAction): string {
  return errors
    .map((e) => {
      const top = e.field.split('.')[0]!;
      const source = action.sources[top];
      const field = source && source !== top ? `${e.field} (from ${source})` : e.field;
      return `${field}: ${e.message} [${e.rule}]`;
    })
    .join('; ');
}

/** A literal per operation rather than a computed key: every item of one operation then has one shape, which V8 and JSON.stringify handle fastest. */
function keyed(operation: BulkOperation, answer: BulkItemAnswer): BulkItem {
  switch (operation) {
    case 'index':
      return { index: answer };
    case 'create':
      return { create: answer };
    case 'update':
      return { update: answer };
    case 'delete':
      return { delete: answer };
  }
}

/**
 * The answer's items, one per action in order, as Elasticsearch gives them: 201 `created` with
 * the log's id for each log Kafka holds (`valid[i]` is the action at `valid[i].index`, its log
 * `records[i]`), 400 with the reason for each refused one.
 */
export function bulkItems(actions: BulkAction[], valid: readonly { index: number }[], records: readonly { id: string }[], errors: readonly ItemError[]): BulkItem[] {
  const ids = new Array<string | undefined>(actions.length).fill(undefined);
  for (let i = 0; i < valid.length; i++) ids[valid[i]!.index] = records[i]!.id;
  const errorsAt = new Map<number, ItemError[]>();
  for (const error of errors) {
    const known = errorsAt.get(error.index);
    if (known) known.push(error);
    else errorsAt.set(error.index, [error]);
  }
  const items: BulkItem[] = [];
  for (let at = 0; at < actions.length; at++) {
    const action = actions[at]!;
    const _index = action.index ?? 'logflow';
    const id = ids[at];
    if (id !== undefined) {
      items.push(keyed(action.operation, { _index, _id: id, status: 201, result: 'created' }));
      continue;
    }
    const type = action.operation === 'index' || action.operation === 'create' ? 'document_parsing_exception' : 'illegal_argument_exception';
    items.push(keyed(action.operation, { _index, _id: action.id ?? null, status: 400, error: { type, reason: reasonOf(errorsAt.get(at) ?? [], action) } }));
  }
  return items;
}
