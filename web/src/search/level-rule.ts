import { parseQuery, type QueryNode } from '@logflow/common';

/**
 * The rule between the level drop-down and the query: a query that names `level` decides the
 * levels alone. The drop-down then stands aside (disabled, saying so) and its levels are not
 * sent, so the two never ask for contradicting levels (`level:error` with only `info` picked
 * would match nothing).
 */
export function queryNamesLevel(query: string): boolean {
  if (!query.includes('level')) return false;
  try {
    return namesLevel(parseQuery(query));
  } catch {
    // A query that does not parse is refused before it is sent: nothing to reconcile.
    return false;
  }
}

function namesLevel(node: QueryNode): boolean {
  switch (node.type) {
    case 'and':
    case 'or':
      return node.children.some(namesLevel);
    case 'not':
      return namesLevel(node.child);
    case 'all':
      return false;
    default:
      return node.field === 'level';
  }
}

/** The levels a search sends: none when the query names the level itself. */
export function effectiveLevels(query: string, levels: readonly string[]): string[] {
  return queryNamesLevel(query) ? [] : [...levels];
}
