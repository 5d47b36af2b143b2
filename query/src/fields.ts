/** The log fields a query may name, and how Elasticsearch holds each (see core/src/es-index.ts). */

export type FieldKind = 'keyword' | 'message' | 'date';

export interface FieldInfo {
  /** The name as users write it, e.g. `resourceId` or `metadata.region`. */
  name: string;
  /** The Elasticsearch field that exact, wildcard, regex, sort and aggregation work on. */
  esField: string;
  kind: FieldKind;
}

const FIXED: Record<string, FieldInfo> = Object.fromEntries(
  (
    [
      ['level', 'level', 'keyword'],
      ['resourceId', 'resourceId', 'keyword'],
      ['traceId', 'traceId', 'keyword'],
      ['spanId', 'spanId', 'keyword'],
      ['commit', 'commit', 'keyword'],
      ['id', 'id', 'keyword'],
      ['message', 'message.keyword', 'message'],
      ['timestamp', 'timestamp', 'date'],
      ['receivedAt', 'receivedAt', 'date'],
    ] as const
  ).map(([name, esField, kind]) => [name, { name, esField, kind }]),
);

/** Every string under `metadata` is a keyword (the template's dynamic rule). */
const METADATA_FIELD = /^metadata(\.[\w@-]+)+$/;

export const FIELD_NAMES = `${Object.keys(FIXED).join(', ')}, metadata.<key>`;

export function resolveField(name: string): FieldInfo | undefined {
  if (Object.hasOwn(FIXED, name)) return FIXED[name];
  if (METADATA_FIELD.test(name) && name.length <= 300) return { name, esField: name, kind: 'keyword' };
  return undefined;
}
