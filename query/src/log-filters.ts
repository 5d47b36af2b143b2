import { LOG_LEVELS, parseQuery, parseTimeExpression, QuerySyntaxError, TIME_EXPRESSION_HELP, type QueryValue } from '@logflow/common';
import type { estypes } from '@elastic/elasticsearch';
import { AppError } from '@logflow/core';
import { z } from 'zod';
import { resolveField } from './fields.ts';
import { assertPatternBudget, DEFAULT_MAX_PATTERN_CLAUSES, toElasticsearchQuery, valueClause } from './query-language/to-elasticsearch.ts';

type EsQuery = estypes.QueryDslQueryContainer;

/** A parameter given once, repeated (`?a=1&a=2`) or as a JSON array: always a list. */
const oneOrMany = (item: z.ZodString) => z.union([item, z.array(item).max(100)]).transform((v) => (Array.isArray(v) ? v : [v]));

const levels = oneOrMany(z.string().max(200))
  .transform((values) =>
    values
      .flatMap((v) => v.split(','))
      .map((l) => l.trim().toLowerCase())
      .filter(Boolean),
  )
  .pipe(z.array(z.enum(LOG_LEVELS, { error: `expected levels among ${LOG_LEVELS.join(', ')}` })));

const keywordValues = (what: string) =>
  oneOrMany(z.string().min(1).max(1024)).describe(
    `${what}: exact by default; * and ? are wildcards (\\* a literal star); /regex/ or /regex/i is a Lucene regular expression over the whole value. Several values: repeat the parameter (any of them matches).`,
  );

const timeExpression = z
  .string()
  .max(64)
  .refine((s) => parseTimeExpression(s, Date.now()) !== undefined, { error: `expected ${TIME_EXPRESSION_HELP}` });

/** Filter parameters shared by search, histogram, top values, tail and export. */
export const logFilterFields = {
  q: z.string().max(8192).optional().describe('query language, e.g. `level:error AND resourceId:server-1* AND NOT "timed out"` (see docs/query-language.md)'),
  level: levels.optional().describe(`one level or several (comma-separated or repeated): ${LOG_LEVELS.join(', ')}`),
  message: z.string().min(1).max(4096).optional().describe('full text over the message: every word must occur; "quoted" matches as a phrase; /regex/ matches the whole message'),
  resourceId: keywordValues('resourceId').optional(),
  traceId: keywordValues('traceId').optional(),
  spanId: keywordValues('spanId').optional(),
  commit: keywordValues('commit').optional(),
  'metadata.parentResourceId': keywordValues('metadata.parentResourceId').optional(),
};
export const timeRangeFields = {
  from: timeExpression.optional().describe(`timestamp >= from: ${TIME_EXPRESSION_HELP}`),
  to: timeExpression.optional().describe('timestamp < to, same forms as from'),
};

export const logFiltersSchema = z.object({ ...logFilterFields, ...timeRangeFields });
export type LogFilters = Partial<z.infer<typeof logFiltersSchema>>;

const KEYWORD_PARAMS = ['resourceId', 'traceId', 'spanId', 'commit', 'metadata.parentResourceId'] as const;

/** The time range a request asked for, in epoch milliseconds: from inclusive, to exclusive. */
export interface TimeRange {
  from?: number;
  to?: number;
}

/** A keyword parameter's value: /regex/(i), a wildcard pattern, or an exact value. */
export function keywordParamValue(raw: string): QueryValue {
  const regex = /^\/(.+)\/(i?)$/s.exec(raw);
  if (regex) return { kind: 'regex', pattern: regex[1]!, caseInsensitive: regex[2] === 'i' };
  let text = '';
  let pattern = '';
  let wildcard = false;
  for (let i = 0; i < raw.length; i += 1) {
    const c = raw[i]!;
    if (c === '\\' && i + 1 < raw.length) {
      const literal = raw[++i]!;
      text += literal;
      pattern += /[*?\\]/.test(literal) ? `\\${literal}` : literal;
    } else {
      wildcard ||= c === '*' || c === '?';
      text += c;
      pattern += c;
    }
  }
  return { kind: 'term', text, pattern, wildcard };
}

function messageClause(raw: string): EsQuery {
  const message = resolveField('message')!;
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) return valueClause(message, { kind: 'phrase', text: raw.slice(1, -1) });
  const regex = /^\/(.+)\/(i?)$/s.exec(raw);
  if (regex) return valueClause(message, { kind: 'regex', pattern: regex[1]!, caseInsensitive: regex[2] === 'i' });
  return { match: { message: { query: raw, operator: 'and' } } };
}

export function resolveTimeRange(filters: LogFilters, now: number): TimeRange {
  const from = filters.from === undefined ? undefined : parseTimeExpression(filters.from, now);
  const to = filters.to === undefined ? undefined : parseTimeExpression(filters.to, now);
  if (from !== undefined && to !== undefined && to <= from) {
    throw new AppError(400, 'invalid_request', 'to: must be later than from', [{ field: 'to', rule: 'after_from', message: 'must be later than from' }]);
  }
  return { from, to };
}

export function timeRangeClause(range: TimeRange, field = 'timestamp'): EsQuery | undefined {
  if (range.from === undefined && range.to === undefined) return undefined;
  return {
    range: {
      [field]: {
        ...(range.from !== undefined && { gte: new Date(range.from).toISOString() }),
        ...(range.to !== undefined && { lt: new Date(range.to).toISOString() }),
      },
    },
  };
}

/** The filters as Elasticsearch filter clauses; a query language error answers 400 with its position. */
export function filterClauses(filters: LogFilters, range: TimeRange, now: number, maxPatternClauses = DEFAULT_MAX_PATTERN_CLAUSES): EsQuery[] {
  const clauses: EsQuery[] = [];
  if (filters.level?.length) clauses.push({ terms: { level: filters.level } });
  if (filters.message) clauses.push(messageClause(filters.message));
  for (const name of KEYWORD_PARAMS) {
    const values = filters[name];
    if (!values?.length) continue;
    const field = resolveField(name)!;
    const anyOf = values.map((v) => valueClause(field, keywordParamValue(v)));
    clauses.push(anyOf.length === 1 ? anyOf[0]! : { bool: { should: anyOf, minimum_should_match: 1 } });
  }
  const time = timeRangeClause(range);
  if (time) clauses.push(time);
  if (filters.q?.trim()) {
    try {
      clauses.push(toElasticsearchQuery(parseQuery(filters.q), now));
    } catch (error) {
      if (!(error instanceof QuerySyntaxError)) throw error;
      throw new AppError(400, 'invalid_query', `q: ${error.message}`, [{ field: 'q', rule: 'syntax', message: error.message, position: error.position }]);
    }
  }
  // The key's own resource scope is added after this count: only what the caller asked for counts.
  assertPatternBudget(clauses, maxPatternClauses);
  return clauses;
}

/**
 * The clause that keeps a read key limited to resourceId patterns to its logs; undefined for a
 * key that sees every log (or no key, with LOGFLOW_AUTH=off). Patterns use only characters
 * that need no escaping in a wildcard query (see resourcePatternSchema).
 */
export function resourceScope(request: { apiKey?: { resourcePatterns: string[] | null } }): EsQuery | undefined {
  const patterns = request.apiKey?.resourcePatterns;
  if (!patterns?.length) return undefined;
  return { bool: { should: patterns.map((value) => ({ wildcard: { resourceId: { value } } })), minimum_should_match: 1 } };
}

/** The whole query: every filter must hold, and the caller's resource scope. */
export function filterQuery(filters: LogFilters, range: TimeRange, now: number, scope?: EsQuery, maxPatternClauses?: number): EsQuery {
  return { bool: { filter: [...filterClauses(filters, range, now, maxPatternClauses), ...(scope ? [scope] : [])] } };
}
