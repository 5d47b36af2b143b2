import { AppError, type TypedLogFields } from '@logflow/core';
import type { MappedRequest } from './mapped-request.ts';
import { ExportLogsServiceRequest, ExportLogsServiceResponse, Status } from './otlp-proto.ts';

type LogLevel = TypedLogFields['level'];

/** OTLP/HTTP logs: decoding an ExportLogsServiceRequest and mapping it to LogFlow logs. */

export type OtlpEncoding = 'protobuf' | 'json';

export const OTLP_CONTENT_TYPES: Record<OtlpEncoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

/** Decodes an ExportLogsServiceRequest; bytes that are not one answer 400 (a hostile nesting included). */
export function decodeOtlpProtobuf(body: Uint8Array): unknown {
  try {
    return ExportLogsServiceRequest.decode(body);
  } catch (error) {
    throw new AppError(400, 'invalid_protobuf', `the body is not an OTLP ExportLogsServiceRequest: ${(error as Error).message}`);
  }
}

/** The ExportLogsServiceResponse: empty when every record was accepted, as the spec asks. */
export function exportResponse(rejected: number, errorMessage: string, encoding: OtlpEncoding): Uint8Array | Record<string, unknown> {
  const partialSuccess = rejected > 0 ? { rejectedLogRecords: rejected, errorMessage } : undefined;
  if (encoding === 'json') return partialSuccess ? { partialSuccess: { rejectedLogRecords: String(rejected), errorMessage } } : {};
  return ExportLogsServiceResponse.encode(ExportLogsServiceResponse.create(partialSuccess ? { partialSuccess } : {})).finish();
}

export function statusBody(code: number, message: string, encoding: OtlpEncoding): Uint8Array | Record<string, unknown> {
  if (encoding === 'json') return { code, message };
  return Status.encode(Status.create({ code, message })).finish();
}

/** The gRPC code of an HTTP status, for google.rpc.Status.code (informative only, per the spec). */
export function grpcCode(httpStatus: number): number {
  const codes: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 413: 8, 415: 3, 429: 8, 502: 14, 503: 14, 504: 14 };
  return codes[httpStatus] ?? (httpStatus >= 500 ? 13 : 2);
}

// ---- values as they come: protobufjs messages (Long, Uint8Array, null defaults) or OTLP/JSON ----

type Obj = Record<string, unknown>;
class RecordError extends Error {
  constructor(
    readonly field: string,
    readonly rule: string,
    message: string,
  ) {
    super(message);
  }
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
const present = (v: unknown) => v !== undefined && v !== null;
/** Set in the message: a decoded protobuf message keeps the defaults of unset fields on its prototype, oneof members included. */
const has = (o: Obj, key: string) => Object.hasOwn(o, key) && present(o[key]);
const MAX_DEPTH = 20;

function list(value: unknown, where: string): Obj[] {
  if (!present(value)) return [];
  if (!Array.isArray(value) || !value.every(isObj)) throw new AppError(400, 'invalid_otlp', `${where}: expected an array of objects`);
  return value;
}

/** The latest time a JavaScript date (and so a LogFlow timestamp) can hold, in epoch milliseconds. */
const MAX_DATE_MS = 8.64e15;

/**
 * uint64 nanoseconds (Long, decimal string or number) to epoch milliseconds, exactly and
 * without BigInt; 0 when unset.
 */
function nanosToMillis(value: unknown, field: string): number {
  if (!present(value)) return 0;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new RecordError(field, 'invalid_format', `${field}: expected unsigned nanoseconds since the epoch`);
    // Only a JSON number can go past the last date (uint64 nanoseconds end in the year 2554).
    if (value / 1e6 > MAX_DATE_MS) throw new RecordError(field, 'out_of_range', `${field}: later than any date a timestamp can hold`);
    return Math.floor(value / 1e6);
  }
  if (typeof value === 'string') {
    if (!/^\d{1,20}$/.test(value)) throw new RecordError(field, 'invalid_format', `${field}: expected unsigned nanoseconds since the epoch, as a decimal string`);
    // Dropping the last six digits divides by 10^6; what is left is far below 2^53.
    return value.length > 6 ? Number(value.slice(0, -6)) : 0;
  }
  if (isObj(value) && typeof value.low === 'number' && typeof value.high === 'number') {
    // high·2^32 + low, divided by 10^6 in parts that each stay exact: 2^32 = 4294·10^6 + 967296.
    const high = value.high >>> 0;
    const low = value.low >>> 0;
    return high * 4294 + Math.floor((high * 967_296 + low) / 1e6);
  }
  throw new RecordError(field, 'invalid_type', `${field}: expected unsigned nanoseconds since the epoch`);
}

/** trace and span ids: bytes in protobuf, hex in OTLP/JSON; empty or all zeros means none. */
function hexId(value: unknown, field: string, bytes: number): string | undefined {
  let hex: string;
  // An unset bytes field of a decoded message reads as protobufjs's shared empty array.
  if (!present(value) || (Array.isArray(value) && value.length === 0)) return undefined;
  if (value instanceof Uint8Array) {
    if (value.length === 0) return undefined;
    if (value.length !== bytes) throw new RecordError(field, 'invalid_length', `${field}: expected ${bytes} bytes, got ${value.length}`);
    hex = Buffer.from(value.buffer, value.byteOffset, value.length).toString('hex');
  } else if (typeof value === 'string') {
    if (value === '') return undefined;
    if (value.length !== bytes * 2 || !/^[0-9a-fA-F]+$/.test(value)) {
      throw new RecordError(field, 'invalid_format', `${field}: expected ${bytes * 2} hexadecimal characters`);
    }
    hex = value.toLowerCase();
  } else {
    throw new RecordError(field, 'invalid_type', `${field}: expected ${bytes * 2} hexadecimal characters`);
  }
  return /^0+$/.test(hex) ? undefined : hex;
}

function int64(value: unknown, field: string): number | string {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  let text: string;
  if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) text = value;
  // A protobufjs Long prints its exact decimal value.
  else if (isObj(value) && typeof value.low === 'number' && typeof value.high === 'number') text = (value as unknown as { toString(): string }).toString();
  else throw new RecordError(field, 'invalid_type', `${field}: expected a 64-bit integer`);
  const n = Number(text);
  // Beyond 2^53 a JSON number would change the value: kept as its decimal text.
  return Number.isSafeInteger(n) ? n : text;
}

/** An AnyValue as JSON: kvlist → object, array → array, bytes → base64, int64 → number (or decimal text past 2^53). */
function anyValue(value: unknown, field: string, depth: number): unknown {
  if (!isObj(value)) {
    if (!present(value)) return null;
    throw new RecordError(field, 'invalid_type', `${field}: expected an AnyValue object`);
  }
  if (depth > MAX_DEPTH) throw new RecordError(field, 'max_depth', `${field}: nested deeper than ${MAX_DEPTH} levels`);
  if (has(value, 'stringValue')) {
    if (typeof value.stringValue !== 'string') throw new RecordError(field, 'invalid_type', `${field}.stringValue: expected a string`);
    return value.stringValue;
  }
  if (has(value, 'boolValue')) {
    if (typeof value.boolValue !== 'boolean') throw new RecordError(field, 'invalid_type', `${field}.boolValue: expected a boolean`);
    return value.boolValue;
  }
  if (has(value, 'intValue')) return int64(value.intValue, `${field}.intValue`);
  if (has(value, 'doubleValue')) {
    const d = value.doubleValue;
    if (typeof d === 'number') return Number.isFinite(d) ? d : String(d);
    // OTLP/JSON writes the special values as strings.
    if (d === 'NaN' || d === 'Infinity' || d === '-Infinity') return d;
    throw new RecordError(field, 'invalid_type', `${field}.doubleValue: expected a number`);
  }
  if (has(value, 'arrayValue')) {
    const values = isObj(value.arrayValue) ? (value.arrayValue.values ?? []) : undefined;
    if (!Array.isArray(values)) throw new RecordError(field, 'invalid_type', `${field}.arrayValue: expected {"values": [...]}`);
    return values.map((v, i) => anyValue(v, `${field}.arrayValue.values[${i}]`, depth + 1));
  }
  if (has(value, 'kvlistValue')) {
    const values = isObj(value.kvlistValue) ? (value.kvlistValue.values ?? []) : undefined;
    if (!Array.isArray(values)) throw new RecordError(field, 'invalid_type', `${field}.kvlistValue: expected {"values": [...]}`);
    return keyValues(values, `${field}.kvlistValue`, depth + 1);
  }
  if (has(value, 'bytesValue')) {
    const b = value.bytesValue;
    if (b instanceof Uint8Array) return Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64');
    // OTLP/JSON carries bytes as base64 already.
    if (typeof b === 'string') return b;
    throw new RecordError(field, 'invalid_type', `${field}.bytesValue: expected base64`);
  }
  return null;
}

/** A KeyValue list as an object; a later duplicate key wins (the spec forbids duplicates). */
function keyValues(values: unknown, field: string, depth: number): Obj {
  const out: Obj = {};
  if (!present(values)) return out;
  if (!Array.isArray(values)) throw new RecordError(field, 'invalid_type', `${field}: expected an array of {"key", "value"}`);
  for (const [i, kv] of values.entries()) {
    if (!isObj(kv) || typeof kv.key !== 'string') throw new RecordError(`${field}[${i}]`, 'invalid_type', `${field}[${i}]: expected {"key": string, "value"}`);
    // Assigning it would change the object's prototype instead of adding a key.
    if (kv.key === '__proto__') throw new RecordError(`${field}[${i}]`, 'forbidden_key', `${field}[${i}]: the key __proto__ is not allowed`);
    out[kv.key] = anyValue(kv.value, `${field}[${i}].value`, depth + 1);
  }
  return out;
}

const LEVEL_BY_TEXT: Record<string, LogLevel> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  information: 'info',
  informational: 'info',
  notice: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  err: 'error',
  fatal: 'fatal',
  critical: 'fatal',
  crit: 'fatal',
  alert: 'fatal',
  emergency: 'fatal',
  emerg: 'fatal',
  panic: 'fatal',
};
const LEVEL_BY_RANGE: LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
const SEVERITY_NAME = /^SEVERITY_NUMBER_(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)([234]?)$/;

/** OTLP/JSON must send enums as integers; the protobuf JSON mapping's names (SEVERITY_NUMBER_WARN2) are taken too. */
function severityNumberOf(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const named = SEVERITY_NAME.exec(value);
  if (named) return LEVEL_BY_RANGE.indexOf(named[1]!.toLowerCase() as LogLevel) * 4 + Number(named[2] || 1);
  return /^\d+$/.test(value) ? Number(value) : value;
}

/**
 * The OTel severity number ranges (1-4 TRACE … 21-24 FATAL) decide; without a number, the
 * severity text (trace, debug, info, warn/warning, error, fatal/critical, …); without either, info.
 */
export function levelOf(severityNumber: unknown, severityText: unknown): LogLevel {
  const number = severityNumberOf(severityNumber);
  if (present(number) && number !== 0) {
    if (typeof number !== 'number' || !Number.isInteger(number) || number < 1 || number > 24) {
      throw new RecordError('severityNumber', 'invalid_value', 'severityNumber: expected 0 to 24 (the OTel SeverityNumber values)');
    }
    return LEVEL_BY_RANGE[Math.floor((number - 1) / 4)]!;
  }
  if (typeof severityText === 'string' && severityText !== '') return LEVEL_BY_TEXT[severityText.toLowerCase()] ?? 'info';
  return 'info';
}

function bodyToMessage(body: unknown, eventName: string | undefined): { message: string; structured?: unknown } {
  const value = anyValue(body, 'body', 1);
  if (typeof value === 'string' && value !== '') return { message: value };
  if (value === null || value === '') {
    if (eventName) return { message: eventName };
    throw new RecordError('body', 'required', 'body: a log record needs a body (or an eventName): LogFlow stores a message');
  }
  // Numbers and booleans read as text; arrays and kvlists stay structured beside their JSON text.
  return typeof value === 'object' ? { message: JSON.stringify(value), structured: value } : { message: JSON.stringify(value) };
}

interface Context {
  resourceId: string | undefined;
  serviceVersion: unknown;
  resourceCommit: unknown;
  resource: Obj | undefined;
  scope: Obj | undefined;
}

function mapRecord(record: Obj, context: Context, receivedAtMs: number): TypedLogFields {
  const attributes = keyValues(record.attributes, 'attributes', 1);
  const eventName = typeof record.eventName === 'string' && record.eventName !== '' ? record.eventName : undefined;
  const { message, structured } = bodyToMessage(record.body, eventName);
  const time = nanosToMillis(record.timeUnixNano, 'timeUnixNano');
  const observed = nanosToMillis(record.observedTimeUnixNano, 'observedTimeUnixNano');
  const level = levelOf(record.severityNumber, record.severityText);
  const severityNumber = severityNumberOf(record.severityNumber);

  let commit: unknown = context.resourceCommit ?? context.serviceVersion;
  let resource = context.resource;
  if (typeof attributes.commit === 'string') {
    commit = attributes.commit;
    delete attributes.commit;
    // service.version was taken out for the commit: kept in metadata since it is not the commit here.
    if (context.serviceVersion !== undefined) resource = { ...resource, attributes: { ...(resource?.attributes as Obj | undefined), 'service.version': context.serviceVersion } };
  }

  const metadata: Obj = {};
  if (present(severityNumber) && severityNumber !== 0) metadata.severityNumber = severityNumber;
  if (typeof record.severityText === 'string' && record.severityText !== '') metadata.severityText = record.severityText;
  if (eventName) metadata.eventName = eventName;
  if (structured !== undefined) metadata.body = structured;
  if (Object.keys(attributes).length > 0) metadata.attributes = attributes;
  if (resource) metadata.resource = resource;
  if (context.scope) metadata.scope = context.scope;
  if (time !== 0 && observed !== 0 && observed !== time) metadata.observedTimestamp = new Date(observed).toISOString();
  if (typeof record.flags === 'number' && record.flags !== 0) metadata.flags = record.flags;
  if (typeof record.droppedAttributesCount === 'number' && record.droppedAttributesCount !== 0) metadata.droppedAttributesCount = record.droppedAttributesCount;

  return {
    level,
    message,
    // Neither time set: the time LogFlow observed it, as a collector would.
    timestamp: new Date(time || observed || receivedAtMs).toISOString(),
    resourceId: context.resourceId,
    traceId: hexId(record.traceId, 'traceId', 16),
    spanId: hexId(record.spanId, 'spanId', 8),
    commit: typeof commit === 'string' && commit !== '' ? commit : undefined,
    metadata,
  };
}

/** Resource and scope, mapped once per group; a broken one refuses each of its records. */
function resourceContext(resourceLogs: Obj): Context {
  const resource = isObj(resourceLogs.resource) ? resourceLogs.resource : {};
  const attributes = keyValues(resource.attributes, 'resource.attributes', 1);
  const serviceName = attributes['service.name'];
  const resourceId = typeof serviceName === 'string' && serviceName !== '' ? serviceName : undefined;
  if (resourceId !== undefined) delete attributes['service.name'];
  const resourceCommit = typeof attributes.commit === 'string' ? attributes.commit : undefined;
  if (resourceCommit !== undefined) delete attributes.commit;
  const serviceVersion = resourceCommit === undefined ? attributes['service.version'] : undefined;
  if (typeof serviceVersion === 'string') delete attributes['service.version'];
  const kept: Obj = {};
  if (Object.keys(attributes).length > 0) kept.attributes = attributes;
  if (typeof resourceLogs.schemaUrl === 'string' && resourceLogs.schemaUrl !== '') kept.schemaUrl = resourceLogs.schemaUrl;
  if (typeof resource.droppedAttributesCount === 'number' && resource.droppedAttributesCount !== 0) kept.droppedAttributesCount = resource.droppedAttributesCount;
  return {
    resourceId,
    serviceVersion: typeof serviceVersion === 'string' ? serviceVersion : undefined,
    resourceCommit,
    resource: Object.keys(kept).length > 0 ? kept : undefined,
    scope: undefined,
  };
}

function scopeOf(scopeLogs: Obj): Obj | undefined {
  const scope = isObj(scopeLogs.scope) ? scopeLogs.scope : {};
  const out: Obj = {};
  if (typeof scope.name === 'string' && scope.name !== '') out.name = scope.name;
  if (typeof scope.version === 'string' && scope.version !== '') out.version = scope.version;
  const attributes = keyValues(scope.attributes, 'scope.attributes', 1);
  if (Object.keys(attributes).length > 0) out.attributes = attributes;
  if (typeof scopeLogs.schemaUrl === 'string' && scopeLogs.schemaUrl !== '') out.schemaUrl = scopeLogs.schemaUrl;
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Maps an ExportLogsServiceRequest (decoded protobuf or OTLP/JSON) to LogFlow logs. A request
 * whose structure is broken answers 400; a record that cannot be mapped is refused on its own
 * (it is counted in the answer's partialSuccess) and the others go on.
 */
export function mapOtlpLogs(request: unknown, receivedAtMs: number): MappedRequest {
  if (!isObj(request)) throw new AppError(400, 'invalid_otlp', 'expected an ExportLogsServiceRequest object');
  const out: MappedRequest = { logs: [], locations: [], errors: [] };
  for (const [r, resourceLogs] of list(request.resourceLogs, 'resourceLogs').entries()) {
    let context: Context | RecordError;
    try {
      context = resourceContext(resourceLogs);
    } catch (error) {
      if (!(error instanceof RecordError)) throw error;
      context = error;
    }
    for (const [s, scopeLogs] of list(resourceLogs.scopeLogs, `resourceLogs[${r}].scopeLogs`).entries()) {
      let scoped: Context | RecordError = context;
      if (!(context instanceof RecordError)) {
        try {
          scoped = { ...context, scope: scopeOf(scopeLogs) };
        } catch (error) {
          if (!(error instanceof RecordError)) throw error;
          scoped = error;
        }
      }
      for (const [l, record] of list(scopeLogs.logRecords, `resourceLogs[${r}].scopeLogs[${s}].logRecords`).entries()) {
        const location = `resourceLogs[${r}].scopeLogs[${s}].logRecords[${l}]`;
        try {
          if (scoped instanceof RecordError) throw scoped;
          out.logs.push(mapRecord(record, scoped, receivedAtMs));
          out.locations.push(location);
        } catch (error) {
          if (!(error instanceof RecordError)) throw error;
          out.errors.push({ location, field: error.field, rule: error.rule, message: error.message });
        }
      }
    }
  }
  return out;
}
