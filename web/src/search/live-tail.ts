import { parseQuery, type QueryNode } from '@logflow/common';
import type { SearchHit } from '../api/logs.ts';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * What a query looks for in the message, as regular expression sources: bare words and
 * phrases (the message is the default field) and `message:` clauses, not negated ones.
 */
export function messagePatterns(query: string): string[] {
  let node: QueryNode;
  try {
    node = parseQuery(query);
  } catch {
    return [];
  }
  const patterns: string[] = [];
  const walk = (n: QueryNode) => {
    if (n.type === 'and' || n.type === 'or') n.children.forEach(walk);
    if (n.type !== 'match' || (n.field !== null && n.field !== 'message')) return;
    const { value } = n;
    if (value.kind === 'phrase') patterns.push(escapeRegex(value.text));
    else if (value.kind === 'term' && value.wildcard) patterns.push(`\\b${value.text.split(/[*?]/).map(escapeRegex).join('\\w*')}`);
    else if (value.kind === 'term') patterns.push(`\\b${escapeRegex(value.text)}\\b`);
  };
  walk(node);
  return patterns.filter((p) => p.replace(/\\[bw]\*?/g, '').length > 0);
}

/**
 * A tailed log's message marked the way the search API marks it (HTML-escaped, matches in
 * <mark>), so live rows are highlighted like searched ones; undefined when nothing matches.
 */
export function highlightMessage(message: string, patterns: readonly string[]): string[] | undefined {
  if (patterns.length === 0) return undefined;
  const matcher = new RegExp(patterns.map((p) => `(?:${p})`).join('|'), 'giu');
  let html = '';
  let last = 0;
  let found = false;
  for (const match of message.matchAll(matcher)) {
    if (match[0] === '') continue;
    found = true;
    html += `${escapeHtml(message.slice(last, match.index))}<mark>${escapeHtml(match[0])}</mark>`;
    last = match.index + match[0].length;
  }
  return found ? [html + escapeHtml(message.slice(last))] : undefined;
}

/**
 * The rows after a batch of tailed logs arrived: the batch in time order (the tail sends logs
 * as received, which is not the order of their timestamps), newest first, on top of the rows.
 */
export function mergeTailBatch(rows: readonly SearchHit[], batch: readonly SearchHit[], limit: number): SearchHit[] {
  const sorted = [...batch].sort((a, b) => (a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : 0));
  return [...sorted, ...rows].slice(0, limit);
}
