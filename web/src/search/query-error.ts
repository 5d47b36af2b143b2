import { parseQuery } from '@logflow/common';
import { userQueryPosition } from './field-filter.ts';

export interface QueryError {
  message: string;
  /** 0-based character offset in the query as the user typed it. */
  position: number;
}

const POSITION_SUFFIX = / at position \d+$/;

/** A parse error of the user's own query, if it has one. */
export function localQueryError(userQuery: string): QueryError | undefined {
  try {
    parseQuery(userQuery);
    return undefined;
  } catch (e) {
    const position = (e as { position?: number }).position ?? 0;
    return { message: (e as Error).message, position };
  }
}

/**
 * The error the API reported for the composed query (the user's in parentheses, then the
 * filters), as the user typed it. Its text named positions in the composed query, one
 * character right of the user's, and a syntax error there could even speak of the closing
 * parenthesis the user never typed: the user's own query is parsed again here and its error,
 * if it has one, is the one shown; an error only the server finds (an unknown field or level)
 * keeps its words with the position moved back into the user's query.
 */
export function queryErrorFromApi(userQuery: string, apiMessage: string, composedPosition: number): QueryError {
  const local = localQueryError(userQuery);
  if (local) return local;
  const position = userQueryPosition(userQuery, composedPosition);
  const reason = apiMessage.replace(/^q: /, '').replace(POSITION_SUFFIX, '');
  return { message: `${reason} at position ${position}`, position };
}
