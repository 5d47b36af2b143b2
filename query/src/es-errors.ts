import { errors } from '@elastic/elasticsearch';
import { AppError } from '@logflow/core';

/** ES down, overloaded, or a new daily index whose shards are not active yet: retry later. */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof errors.ResponseError) return error.statusCode === 429 || (error.statusCode ?? 0) >= 500;
  return error instanceof errors.ConnectionError || error instanceof errors.TimeoutError || error instanceof errors.NoLivingConnectionsError;
}

export function isIndexMissing(error: unknown): boolean {
  return error instanceof errors.ResponseError && error.statusCode === 404 && JSON.stringify(error.body ?? '').includes('index_not_found');
}

interface EsCause {
  reason?: string;
  caused_by?: EsCause;
  root_cause?: EsCause[];
  failed_shards?: { reason?: EsCause }[];
}

/** The deepest reason Elasticsearch gave, e.g. a regular expression it could not compile. */
function rootReason(error: errors.ResponseError): string {
  const top = (error.body as { error?: EsCause } | undefined)?.error;
  let cause = top?.failed_shards?.[0]?.reason ?? top?.root_cause?.[0] ?? top;
  while (cause?.caused_by) cause = cause.caused_by;
  return cause?.reason ?? error.message;
}

/**
 * What a client gets when Elasticsearch fails: 503 with Retry-After when it cannot answer,
 * 400 when it refused the query (an invalid regular expression), never a stack trace.
 */
export function toAppError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (isUnavailable(error)) {
    return new AppError(503, 'search_unavailable', 'Elasticsearch is unreachable or overloaded; try again shortly', undefined, { 'retry-after': '5' });
  }
  if (error instanceof errors.ResponseError && error.statusCode === 400) {
    return new AppError(400, 'invalid_query', `Elasticsearch refused the query: ${rootReason(error)}`);
  }
  return error;
}

/** Runs an Elasticsearch call, turning its failures into the answers above. */
export async function elasticsearchCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toAppError(error);
  }
}
