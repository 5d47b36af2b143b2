import type { LogRecord } from '../api/logs.ts';

/** The fields of a log as the query language names them, metadata flattened to `metadata.<key>`, for filtering. */
export function filterableFields(log: LogRecord): { field: string; value: string }[] {
  const fields: { field: string; value: string }[] = [];
  for (const name of ['level', 'resourceId', 'traceId', 'spanId', 'commit', 'message'] as const) {
    const value = log[name];
    if (value !== undefined && value !== null && value !== '') fields.push({ field: name, value: String(value) });
  }
  const walk = (prefix: string, value: unknown) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) walk(`${prefix}.${key}`, inner);
    } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      // The query language names metadata keys of word characters, '@' and '-' only.
      if (/^metadata(\.[\w@-]+)+$/.test(prefix)) fields.push({ field: prefix, value: String(value) });
    }
  };
  walk('metadata', log.metadata ?? {});
  return fields;
}
