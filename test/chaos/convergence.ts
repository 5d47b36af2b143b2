import type { Installation } from '../installation.ts';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * How one store compares with what the client sent for the acknowledged logs. Logs are matched
 * by their `id` field (not Elasticsearch's `_id`), and each is compared by its whole content.
 */
export interface StoreComparison {
  stored: number;
  /** Acknowledged ids the store does not hold. */
  lost: number;
  /** Copies beyond the first of an id (a twin in another index, a second row). */
  duplicated: number;
  /** Ids the store holds that were never acknowledged. */
  extra: number;
  /** Held, but not as sent: a field missing, changed or added (metadata included). */
  differing: number;
  /** The lost ids, every one: the self-checks compare them with what they took away. */
  lostIds: string[];
  /** The differing ids, every one. */
  differingIds: string[];
  /** A few examples of differing logs, `id: stored vs sent`, to tell what changed. */
  differingExamples: string[];
}

export interface Convergence {
  postgres: StoreComparison;
  elasticsearch: StoreComparison;
  converged: boolean;
  /** From the call until both stores held exactly what was sent (or the time ran out). */
  seconds: number;
}

/** The fields a client sends, in one order, with metadata's keys sorted: equal logs give equal strings. */
export function canonical(log: Record<string, unknown>): string {
  const sorted = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sorted);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sorted((value as Record<string, unknown>)[key])]),
    );
  };
  const timestamp = log.timestamp instanceof Date ? log.timestamp : new Date(String(log.timestamp));
  return JSON.stringify([
    log.id,
    log.level,
    log.message,
    Number.isNaN(timestamp.getTime()) ? String(log.timestamp) : timestamp.toISOString(),
    log.resourceId ?? null,
    log.traceId ?? null,
    log.spanId ?? null,
    log.commit ?? null,
    sorted(log.metadata ?? {}),
  ]);
}

interface StoredLog {
  id: string;
  content: string;
}

export async function logsInPostgres(lf: Installation, resourceId: string): Promise<StoredLog[]> {
  const result = await lf.pool.query<Record<string, unknown>>(
    `SELECT id, level, message, timestamp, resource_id AS "resourceId", trace_id AS "traceId", span_id AS "spanId", commit, metadata
     FROM logs WHERE resource_id = $1`,
    [resourceId],
  );
  return result.rows.map((row) => ({ id: String(row.id), content: canonical(row) }));
}

export async function logsInElasticsearch(lf: Installation, resourceId: string): Promise<StoredLog[]> {
  await lf.es.indices.refresh({ index: lf.names.readAlias, ignore_unavailable: true, allow_no_indices: true });
  const logs: StoredLog[] = [];
  // Paged by the documents' `id` field; a log held twice (two indices, two `_id`s) is listed twice.
  let after: (string | number)[] | undefined;
  for (;;) {
    const page = await lf.es.search<Record<string, unknown>>({
      index: lf.names.readAlias,
      ignore_unavailable: true,
      allow_no_indices: true,
      size: 10_000,
      _source: ['id', 'level', 'message', 'timestamp', 'resourceId', 'traceId', 'spanId', 'commit', 'metadata'],
      query: { term: { resourceId } },
      sort: ['id', '_index', '_doc'],
      ...(after ? { search_after: after } : {}),
    });
    const hits = page.hits.hits;
    for (const hit of hits) logs.push({ id: String(hit._source!.id), content: canonical(hit._source!) });
    if (hits.length < 10_000) break;
    after = hits.at(-1)!.sort as (string | number)[];
  }
  return logs;
}

/** Compares a store's logs with the acknowledged ones as sent (`expected`: id to canonical content). */
export function compare(expected: ReadonlyMap<string, string>, found: readonly StoredLog[]): StoreComparison {
  const seen = new Set<string>();
  const comparison: StoreComparison = { stored: found.length, lost: 0, duplicated: 0, extra: 0, differing: 0, lostIds: [], differingIds: [], differingExamples: [] };
  for (const { id, content } of found) {
    if (seen.has(id)) comparison.duplicated++;
    seen.add(id);
    const sent = expected.get(id);
    if (sent === undefined) comparison.extra++;
    else if (sent !== content) {
      comparison.differing++;
      comparison.differingIds.push(id);
      if (comparison.differingExamples.length < 3) comparison.differingExamples.push(`${content} vs sent ${sent}`);
    }
  }
  for (const id of expected.keys()) if (!seen.has(id)) comparison.lostIds.push(id);
  comparison.lost = comparison.lostIds.length;
  return comparison;
}

export const exact = (c: StoreComparison) => c.lost === 0 && c.duplicated === 0 && c.extra === 0 && c.differing === 0;

async function counts(lf: Installation, resourceId: string): Promise<{ pg: number; es: number }> {
  await lf.es.indices.refresh({ index: lf.names.readAlias, ignore_unavailable: true, allow_no_indices: true });
  const [pg, es] = await Promise.all([
    lf.pool.query<{ n: string }>('SELECT count(*) AS n FROM logs WHERE resource_id = $1', [resourceId]),
    lf.es.count({ index: lf.names.readAlias, ignore_unavailable: true, allow_no_indices: true, query: { term: { resourceId } } }),
  ]);
  return { pg: Number(pg.rows[0]!.n), es: es.count };
}

/** Both stores compared, content included, once. */
export async function compareStores(
  lf: Installation,
  resourceId: string,
  expected: ReadonlyMap<string, string>,
  expectedInElasticsearch: ReadonlyMap<string, string> = expected,
): Promise<{ postgres: StoreComparison; elasticsearch: StoreComparison }> {
  const [pgLogs, esLogs] = await Promise.all([logsInPostgres(lf, resourceId), logsInElasticsearch(lf, resourceId)]);
  return { postgres: compare(expected, pgLogs), elasticsearch: compare(expectedInElasticsearch, esLogs) };
}

/**
 * Waits until Postgres holds exactly `expected` and Elasticsearch exactly its share, each log
 * once and as sent, or until `timeoutMs` passed. No reconcile here: this is what the sinks do
 * alone; whether a reconcile was needed is the caller's verdict.
 */
export async function awaitConvergence(
  lf: Installation,
  resourceId: string,
  expected: ReadonlyMap<string, string>,
  { expectedInElasticsearch = expected, timeoutMs }: { expectedInElasticsearch?: ReadonlyMap<string, string>; timeoutMs: number },
): Promise<Convergence> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  for (;;) {
    const now = await counts(lf, resourceId).catch(() => undefined);
    const countsMatch = now?.pg === expected.size && now.es === expectedInElasticsearch.size;
    if (countsMatch || Date.now() > deadline) {
      const stores = await compareStores(lf, resourceId, expected, expectedInElasticsearch);
      const converged = exact(stores.postgres) && exact(stores.elasticsearch);
      if (converged || Date.now() > deadline) return { ...stores, converged, seconds: (Date.now() - started) / 1000 };
    }
    await sleep(1_000);
  }
}
