import { LOG_LEVELS, parseTimeExpression, type QueryNode, QuerySyntaxError, type QueryValue, type RangeBound, TIME_EXPRESSION_HELP } from '@logflow/common';
import type { estypes } from '@elastic/elasticsearch';
import { AppError } from '@logflow/core';
import { FIELD_NAMES, resolveField, type FieldInfo } from '../fields.ts';

type EsQuery = estypes.QueryDslQueryContainer;

const MESSAGE = resolveField('message')!;
/** Regular expressions cost Elasticsearch time by their length; a search has no need of long ones. */
export const MAX_REGEX_CHARS = 256;
/**
 * Regular expression and wildcard clauses one search may hold (QUERY_MAX_PATTERN_CLAUSES).
 * Elasticsearch builds an automaton per clause in memory at once: 200 of them OR-ed tripped its
 * circuit breaker, failing every search on the node for seconds.
 */
export const DEFAULT_MAX_PATTERN_CLAUSES = 16;
const SPLIT_BY_ANALYSER = /[^\p{L}\p{N}_]/u;

/** A wildcard pattern that may match anywhere in the value. */
function anywhere(pattern: string): string {
  const start = pattern.startsWith('*') ? '' : '*';
  const end = pattern.endsWith('*') && !pattern.endsWith('\\*') ? '' : '*';
  return `${start}${pattern}${end}`;
}

/**
 * One value on one field. Keyword fields match exactly (a quoted value too), by wildcard or by
 * regex; the message matches words and phrases as analysed text, wildcards per word, and a regex
 * against the whole message (anchored, as in Lucene). Levels are stored lower-case.
 */
export function valueClause(field: FieldInfo, value: QueryValue): EsQuery {
  if (value.kind === 'regex' && value.pattern.length > MAX_REGEX_CHARS) {
    const message = `a regular expression may have at most ${MAX_REGEX_CHARS} characters (this one has ${value.pattern.length})`;
    throw new AppError(400, 'invalid_query', message, [{ field: field.name, rule: 'regex_length', message }]);
  }
  const caseInsensitive = field.name === 'level' ? { case_insensitive: true } : {};
  if (field.kind === 'message') {
    if (value.kind === 'regex') return { regexp: { [field.esField]: { value: value.pattern, case_insensitive: value.caseInsensitive } } };
    if (value.kind === 'term' && value.wildcard) {
      // Per word, as analysed; a pattern the analyser would split (server-12*) looks inside the whole message instead.
      return SPLIT_BY_ANALYSER.test(value.text.replace(/[*?]/g, ''))
        ? { wildcard: { [field.esField]: { value: anywhere(value.pattern), case_insensitive: true } } }
        : { wildcard: { message: { value: value.pattern, case_insensitive: true } } };
    }
    // An unquoted word the analyser splits (server-1234) is meant as one: its parts must be adjacent.
    return { match_phrase: { message: value.text } };
  }
  if (value.kind === 'regex') {
    return { regexp: { [field.esField]: { value: value.pattern, case_insensitive: value.caseInsensitive || field.name === 'level' } } };
  }
  if (value.kind === 'term' && value.wildcard) return { wildcard: { [field.esField]: { value: value.pattern, ...caseInsensitive } } };
  return { term: { [field.esField]: field.name === 'level' ? value.text.toLowerCase() : value.text } };
}

function knownField(name: string, position: number): FieldInfo {
  const field = resolveField(name);
  if (!field) throw new QuerySyntaxError(`unknown field '${name}' (fields: ${FIELD_NAMES})`, position);
  return field;
}

function time(bound: RangeBound | { value: string; position: number }, now: number): string {
  const ms = parseTimeExpression(bound.value, now);
  if (ms === undefined) throw new QuerySyntaxError(`'${bound.value}' is not a time: expected ${TIME_EXPRESSION_HELP}`, bound.position);
  return new Date(ms).toISOString();
}

function matchNode(node: Extract<QueryNode, { type: 'match' }>, now: number): EsQuery {
  const field = node.field === null ? MESSAGE : knownField(node.field, node.fieldPosition);
  const { value } = node;
  if (field.kind === 'date') {
    if (value.kind === 'regex' || (value.kind === 'term' && value.wildcard)) {
      throw new QuerySyntaxError(`${field.name} takes a time or a range, not a pattern`, node.position);
    }
    const instant = time({ value: value.text, position: node.position }, now);
    return { range: { [field.esField]: { gte: instant, lte: instant } } };
  }
  if (field.name === 'level' && value.kind !== 'regex' && !(value.kind === 'term' && value.wildcard)) {
    if (!(LOG_LEVELS as readonly string[]).includes(value.text.toLowerCase())) {
      throw new QuerySyntaxError(`unknown level '${value.text}' (levels: ${LOG_LEVELS.join(', ')})`, node.position);
    }
  }
  return valueClause(field, value);
}

function rangeNode(node: Extract<QueryNode, { type: 'range' }>, now: number): EsQuery {
  const field = knownField(node.field, node.fieldPosition);
  if (field.kind === 'message') throw new QuerySyntaxError('the message takes no range', node.fieldPosition);
  const value = (bound: RangeBound) => (field.kind === 'date' ? time(bound, now) : bound.value);
  const range: Record<string, string> = {};
  if (node.lower) range[node.lower.inclusive ? 'gte' : 'gt'] = value(node.lower);
  if (node.upper) range[node.upper.inclusive ? 'lte' : 'lt'] = value(node.upper);
  return Object.keys(range).length === 0 ? { exists: { field: field.esField } } : { range: { [field.esField]: range } };
}

/**
 * The Elasticsearch query for a parsed query, all in filter context (results are sorted by
 * time, never by score; highlighting still sees the clauses). Unknown fields, levels and
 * times are reported with their position like syntax errors.
 */
export function toElasticsearchQuery(node: QueryNode, now: number): EsQuery {
  switch (node.type) {
    case 'all':
      return { match_all: {} };
    case 'match':
      return matchNode(node, now);
    case 'range':
      return rangeNode(node, now);
    case 'exists': {
      const field = knownField(node.field, node.fieldPosition);
      return { exists: { field: field.kind === 'message' ? 'message' : field.esField } };
    }
    case 'not':
      return { bool: { must_not: [toElasticsearchQuery(node.child, now)] } };
    case 'or':
      return { bool: { should: node.children.map((c) => toElasticsearchQuery(c, now)), minimum_should_match: 1 } };
    case 'and': {
      const positive = node.children.filter((c) => c.type !== 'not').map((c) => toElasticsearchQuery(c, now));
      const negative = node.children.flatMap((c) => (c.type === 'not' ? [toElasticsearchQuery(c.child, now)] : []));
      return { bool: { filter: positive, ...(negative.length > 0 && { must_not: negative }) } };
    }
  }
}

/** How many regexp and wildcard clauses a query holds, at any depth. */
export function countPatternClauses(query: unknown): number {
  if (Array.isArray(query)) return query.reduce<number>((sum, item) => sum + countPatternClauses(item), 0);
  if (query === null || typeof query !== 'object') return 0;
  let count = 0;
  for (const [key, value] of Object.entries(query)) count += key === 'regexp' || key === 'wildcard' ? 1 : countPatternClauses(value);
  return count;
}

/** Refuses (400 invalid_query) a search of more pattern clauses than `max`, before Elasticsearch sees it. */
export function assertPatternBudget(clauses: EsQuery[], max: number): void {
  const count = countPatternClauses(clauses);
  if (count <= max) return;
  const message = `a search may hold at most ${max} regular expression or wildcard clauses (this one has ${count}): each costs Elasticsearch memory`;
  throw new AppError(400, 'invalid_query', message, [{ field: 'q', rule: 'max_pattern_clauses', message }]);
}
