import { uncompressSync } from 'snappy';
import { AppError, type TypedLogFields } from '@logflow/core';
import { PushRequest } from './loki-proto.ts';
import type { MappedRequest } from './mapped-request.ts';
import { levelOf } from './otlp.ts';

/**
 * Loki's push API (`POST /loki/api/v1/push`): its two encodings brought to one shape, the
 * JSON one, and mapped to LogFlow logs.
 */

/** A push request in Loki's JSON shape: each stream's labels and its entries [nanoseconds, line, structured metadata?]. */
export interface LokiPush {
  streams: unknown[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const LABEL_NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', n: '\n' };

/** A Prometheus label set, `{job="api", level="info"}`, as the protobuf encoding carries a stream's labels. */
export function parseLabels(text: string): Record<string, string> {
  const fail = (why: string): never => {
    throw new AppError(400, 'invalid_labels', `stream labels ${JSON.stringify(text.slice(0, 200))}: ${why}`);
  };
  const labels: Record<string, string> = {};
  let at = 0;
  const skipSpaces = () => {
    while (text[at] === ' ') at++;
  };
  skipSpaces();
  if (text[at] !== '{') fail('expected {name="value", …}');
  at++;
  skipSpaces();
  while (text[at] !== '}') {
    LABEL_NAME.lastIndex = at;
    const name = LABEL_NAME.exec(text)?.[0] ?? fail(`expected a label name at character ${at}`);
    at += name.length;
    skipSpaces();
    if (text[at] !== '=' || text[at + 1] !== '"') fail(`expected ="value" after ${name}`);
    at += 2;
    let value = '';
    while (text[at] !== '"') {
      if (at >= text.length) fail(`the value of ${name} is not closed`);
      if (text[at] === '\\') {
        value += ESCAPES[text[at + 1] ?? ''] ?? fail(`unknown escape in the value of ${name}`);
        at += 2;
      } else {
        value += text[at++];
      }
    }
    at++;
    if (Object.hasOwn(labels, name)) fail(`label ${name} is given twice`);
    labels[name] = value;
    skipSpaces();
    if (text[at] === ',') {
      at++;
      skipSpaces();
    } else if (text[at] !== '}') {
      fail(`expected , or } after the value of ${name}`);
    }
  }
  if (text.slice(at + 1).trim() !== '') fail('text after the closing }');
  return labels;
}

/** Snappy's block format opens with the uncompressed length as a varint: read before anything is inflated. */
export function uncompressedLength(body: Buffer): number {
  let length = 0;
  for (let i = 0; i < 5 && i < body.length; i++) {
    const byte = body[i]!;
    length += (byte & 0x7f) * 2 ** (7 * i);
    if (byte < 0x80) return length;
  }
  throw new AppError(400, 'invalid_snappy', 'the body is not snappy-compressed (Loki protobuf pushes are)');
}

interface DecodedEntry {
  /** protobufjs reads int64 as a Long (or a number without the long package): both print their decimal value. */
  timestamp?: { seconds?: number | { toString(): string }; nanos?: number } | null;
  line?: string;
  structuredMetadata?: { name?: string; value?: string }[];
}

/**
 * A snappy-compressed protobuf PushRequest, in the JSON shape. `maxBytes` bounds the inflated
 * size (413 beyond it), checked from the length snappy declares before inflating.
 */
export function decodeLokiProtobuf(body: Buffer, maxBytes: number): LokiPush {
  const length = uncompressedLength(body);
  if (length > maxBytes) throw new AppError(413, 'body_too_large', `the push inflates to ${length} bytes; at most ${maxBytes}`);
  let message: { streams?: { labels?: string; entries?: DecodedEntry[] }[] };
  try {
    message = PushRequest.decode(uncompressSync(body) as Buffer) as typeof message;
  } catch (error) {
    throw new AppError(400, 'invalid_protobuf', `the body is not a snappy-compressed Loki PushRequest: ${(error as Error).message}`);
  }
  return {
    streams: (message.streams ?? []).map((stream) => ({
      stream: parseLabels(stream.labels ?? ''),
      values: (stream.entries ?? []).map((entry) => {
        const seconds = BigInt(String(entry.timestamp?.seconds ?? 0));
        const nanos = BigInt(entry.timestamp?.nanos ?? 0);
        const value: unknown[] = [String(seconds * 1_000_000_000n + nanos), entry.line ?? ''];
        if (entry.structuredMetadata?.length) value.push(Object.fromEntries(entry.structuredMetadata.map(({ name, value }) => [name ?? '', value ?? ''])));
        return value;
      }),
    })),
  };
}

class EntryError extends Error {
  constructor(
    readonly field: string,
    readonly rule: string,
    message: string,
  ) {
    super(message);
  }
}

/** The labels Loki itself reads a service name from, in its order (its `discover_service_name` default). */
const SERVICE_LABELS = ['service_name', 'service', 'app', 'application', 'name', 'app_kubernetes_io_name', 'container', 'container_name', 'k8s_container_name', 'component', 'workload', 'job'];
const LEVEL_KEYS = ['level', 'detected_level', 'severity', 'lvl', 'LEVEL', 'Level', 'SEVERITY', 'Severity', 'LVL', 'Lvl'];
const TRACE_KEYS = ['trace_id', 'traceId', 'traceID'];
const SPAN_KEYS = ['span_id', 'spanId', 'spanID'];

const firstString = (keys: string[], ...sources: Record<string, string>[]) => {
  for (const source of sources) for (const key of keys) if (typeof source[key] === 'string' && source[key] !== '') return source[key];
  return undefined;
};

function stringValues(value: unknown, field: string): Record<string, string> {
  if (!isObj(value)) throw new EntryError(field, 'invalid_type', `${field}: expected an object of string values`);
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new EntryError(field, 'invalid_type', `${field}.${key}: expected a string`);
  }
  return value as Record<string, string>;
}

function nanosToIso(value: unknown): string {
  if (typeof value !== 'string' || !/^\d{1,20}$/.test(value)) throw new EntryError('timestamp', 'invalid_format', 'timestamp: expected nanoseconds since the epoch, as a decimal string');
  // Twenty digits at most: the milliseconds left after dropping six stay a date (uint64 nanoseconds end in 2554).
  return new Date(value.length > 6 ? Number(value.slice(0, -6)) : 0).toISOString();
}

function mapEntry(entry: unknown, labels: Record<string, string>, resourceId: string | undefined): TypedLogFields {
  if (!Array.isArray(entry) || entry.length < 2 || entry.length > 3) throw new EntryError('entry', 'invalid_type', 'entry: expected [nanoseconds, line] or [nanoseconds, line, structured metadata]');
  const [time, line, extra] = entry as unknown[];
  const timestamp = nanosToIso(time);
  if (typeof line !== 'string' || line === '') throw new EntryError('line', 'required', 'line: a log line is a non-empty string');
  const structured = extra === undefined ? {} : stringValues(extra, 'structuredMetadata');
  const level = firstString(LEVEL_KEYS, structured, labels);
  const metadata: Obj = { labels };
  if (Object.keys(structured).length > 0) metadata.structuredMetadata = structured;
  return {
    level: level === undefined ? 'info' : levelOf(undefined, level),
    message: line,
    timestamp,
    resourceId,
    traceId: firstString(TRACE_KEYS, structured),
    spanId: firstString(SPAN_KEYS, structured),
    metadata,
  };
}

/**
 * Maps a push (JSON shape) to LogFlow logs. A request whose structure is broken answers 400;
 * an entry that cannot be mapped is refused on its own and the others go on, as Loki does.
 * The stream's labels and the entry's structured metadata are kept whole in metadata.
 */
export function mapLokiPush(push: LokiPush): MappedRequest {
  const out: MappedRequest = { logs: [], locations: [], errors: [] };
  for (const [s, stream] of push.streams.entries()) {
    let labels: Record<string, string> | EntryError;
    try {
      if (!isObj(stream)) throw new EntryError('stream', 'invalid_type', `streams[${s}]: expected {stream, values}`);
      labels = stringValues(stream.stream ?? {}, 'stream');
    } catch (error) {
      if (!(error instanceof EntryError)) throw error;
      labels = error;
    }
    const values = isObj(stream) ? stream.values : undefined;
    if (!Array.isArray(values)) throw new AppError(400, 'invalid_loki_push', `streams[${s}].values: expected an array of [nanoseconds, line] entries`);
    const resourceId = labels instanceof EntryError ? undefined : firstString(SERVICE_LABELS, labels);
    for (const [v, entry] of values.entries()) {
      const location = `streams[${s}].values[${v}]`;
      try {
        if (labels instanceof EntryError) throw labels;
        out.logs.push(mapEntry(entry, labels, resourceId));
        out.locations.push(location);
      } catch (error) {
        if (!(error instanceof EntryError)) throw error;
        out.errors.push({ location, field: error.field, rule: error.rule, message: error.message });
      }
    }
  }
  return out;
}
