/** What the query language parses into; positions are 0-based character offsets in the query. */

export type QueryValue =
  /** An unquoted word; `pattern` keeps `*`/`?` as wildcards and escapes literal ones with `\`. */
  | { kind: 'term'; text: string; pattern: string; wildcard: boolean }
  /** A quoted string: a phrase on the message, an exact value on a keyword field. */
  | { kind: 'phrase'; text: string }
  /** `/.../` or `/.../i`, in Lucene's regular expression syntax. */
  | { kind: 'regex'; pattern: string; caseInsensitive: boolean };

export interface RangeBound {
  value: string;
  inclusive: boolean;
  position: number;
}

export type QueryNode =
  | { type: 'and'; children: QueryNode[] }
  | { type: 'or'; children: QueryNode[] }
  | { type: 'not'; child: QueryNode }
  /** `field` is null for a bare value, which searches the message. */
  | { type: 'match'; field: string | null; fieldPosition: number; value: QueryValue; position: number }
  | { type: 'range'; field: string; fieldPosition: number; lower?: RangeBound; upper?: RangeBound }
  /** `field:*` */
  | { type: 'exists'; field: string; fieldPosition: number }
  /** A bare `*`, or an empty query. */
  | { type: 'all' };

export class QuerySyntaxError extends Error {
  override name = 'QuerySyntaxError';

  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at position ${position}`);
  }
}
