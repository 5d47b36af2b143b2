import { AppError } from '@logflow/core';

/**
 * Statements a key limited to resources may run: queries (EXPLAIN, DO, SHOW … are not). Writes
 * pass here only to be refused by Postgres (400): the READ ONLY transaction stops them before
 * they compute anything.
 */
const QUERY_START = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/|\()*(select|with|values|table|insert|update|delete|merge)\b/i;

/**
 * Names that tell about rows row-level security hides: planner estimates and statistics
 * (pg_class.reltuples, pg_stat*, pg_stats' most common values), table sizes, physical row
 * positions (ctid gaps) and transaction ids, and functions that run a query given as text
 * (which would hide any of these inside a string). Every catalog object and function starts
 * with `pg_`; only the few that reveal nothing about other rows stay allowed.
 */
const REFUSED: { pattern: RegExp; why: string }[] = [
  { pattern: /\bpg_(?!typeof\b|size_pretty\b|sleep\b|column_size\b)\w+/i, why: 'system catalogs, statistics and size functions' },
  { pattern: /\bpgstat\w*|\bpg_buffercache\b/i, why: 'statistics extensions' },
  { pattern: /\binformation_schema\b/i, why: 'system catalogs' },
  { pattern: /\b(?:ctid|xmin|xmax|cmin|cmax)\b/i, why: 'system columns (row positions and transaction ids)' },
  { pattern: /\b\w*_to_xml\w*\b|\bts_stat\b|\bts_rewrite\b/i, why: 'functions that run a query given as text' },
  // U&"pg\005fclass" names pg_class without spelling it.
  { pattern: /\bu&['"]/i, why: 'Unicode-escaped names' },
];

/**
 * Refuses (403) what a key limited to resources must not run: its login's row-level security
 * filters rows, but EXPLAIN's `Rows Removed by Filter` and estimates, statistics views and
 * sizes would still count (or show values of) the rows it filters out. The whole text is
 * checked, strings and comments included, so nothing can hide in a literal.
 */
export function assertScopedStatementAllowed(sql: string): void {
  const refuse = (message: string, rule: string) => {
    throw new AppError(403, 'sql_not_allowed', message, [{ field: 'sql', rule, message }]);
  };
  if (!QUERY_START.test(sql)) {
    refuse('a key limited to resources may run queries only (SELECT, WITH, VALUES, TABLE): EXPLAIN and other statements could reveal rows outside its resources', 'query_only');
  }
  for (const { pattern, why } of REFUSED) {
    const found = pattern.exec(sql);
    if (found) refuse(`a key limited to resources may not use ${why} ('${found[0]}'): they reveal rows outside its resources`, 'scoped_sql');
  }
}
