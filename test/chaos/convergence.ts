import type { Installation } from '../installation.ts';

/** How one store compares with the acknowledged ids. */
export interface StoreComparison {
  stored: number;
  lost: number;
  duplicated: number;
  /** Ids the store holds that were never acknowledged. */
  extra: number;
}

export interface Convergence {
  postgres: StoreComparison;
  elasticsearch: StoreComparison;
  converged: boolean;
  /** From the call until both stores held exactly the expected ids (or the time ran out). */
  seconds: number;
  /** Whether a reconcile was needed for Elasticsearch. */
  reconciled: boolean;
}

export async function idsInPostgres(lf: Installation, resourceId: string): Promise<string[]> {
  const result = await lf.pool.query<{ id: string }>('SELECT id FROM logs WHERE resource_id = $1', [resourceId]);
  return result.rows.map((row) => row.id);
}

export async function idsInElasticsearch(lf: Installation, resourceId: string): Promise<string[]> {
  await lf.es.indices.refresh({ index: lf.names.readAlias, ignore_unavailable: true, allow_no_indices: true });
  const ids: string[] = [];
  // Paged by id; `_id` per hit, so a document held twice (two daily indices) is listed twice.
  let after: (string | number)[] | undefined;
  for (;;) {
    const page = await lf.es.search({
      index: lf.names.readAlias,
      ignore_unavailable: true,
      allow_no_indices: true,
      size: 10_000,
      _source: false,
      query: { term: { resourceId } },
      sort: ['id', '_index'],
      ...(after ? { search_after: after } : {}),
    });
    const hits = page.hits.hits;
    for (const hit of hits) ids.push(hit._id!);
    if (hits.length < 10_000) break;
    after = hits.at(-1)!.sort as (string | number)[];
  }
  return ids;
}

export function compare(expected: ReadonlySet<string>, found: readonly string[]): StoreComparison {
  const seen = new Set<string>();
  let duplicated = 0;
  let extra = 0;
  for (const id of found) {
    if (seen.has(id)) duplicated++;
    else if (!expected.has(id)) extra++;
    seen.add(id);
  }
  let lost = 0;
  for (const id of expected) if (!seen.has(id)) lost++;
  return { stored: found.length, lost, duplicated, extra };
}

async function counts(lf: Installation, resourceId: string): Promise<{ pg: number; es: number }> {
  await lf.es.indices.refresh({ index: lf.names.readAlias, ignore_unavailable: true, allow_no_indices: true });
  const [pg, es] = await Promise.all([
    lf.pool.query<{ n: string }>('SELECT count(*) AS n FROM logs WHERE resource_id = $1', [resourceId]),
    lf.es.count({ index: lf.names.readAlias, ignore_unavailable: true, allow_no_indices: true, query: { term: { resourceId } } }),
  ]);
  return { pg: Number(pg.rows[0]!.n), es: es.count };
}

const exact = (c: StoreComparison) => c.lost === 0 && c.duplicated === 0 && c.extra === 0;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ConvergenceOptions {
  /** What Elasticsearch should hold, when it differs from Postgres (dead-lettered logs). */
  expectedInElasticsearch?: ReadonlySet<string>;
  /** How long to wait for the sinks before a reconcile. */
  timeoutMs: number;
  /** Queues a reconcile and resolves once it finished. */
  reconcile: () => Promise<void>;
}

/**
 * Waits until Postgres holds exactly `expected` and Elasticsearch exactly its share, each id
 * once; if Elasticsearch still lacks some when the time is up, reconciles once and waits again.
 */
export async function awaitConvergence(lf: Installation, resourceId: string, expected: ReadonlySet<string>, options: ConvergenceOptions): Promise<Convergence> {
  const started = Date.now();
  const inEs = options.expectedInElasticsearch ?? expected;
  let reconciled = false;
  let deadline = started + options.timeoutMs;
  for (;;) {
    const now = await counts(lf, resourceId).catch(() => undefined);
    const countsMatch = now?.pg === expected.size && now.es === inEs.size;
    if (!countsMatch && Date.now() <= deadline) {
      await sleep(1_000);
      continue;
    }
    const [pgIds, esIds] = await Promise.all([idsInPostgres(lf, resourceId), idsInElasticsearch(lf, resourceId)]);
    const postgres = compare(expected, pgIds);
    const elasticsearch = compare(inEs, esIds);
    const converged = exact(postgres) && exact(elasticsearch);
    if (converged || Date.now() > deadline) {
      if (!converged && !reconciled && exact(postgres)) {
        await options.reconcile();
        reconciled = true;
        deadline = Date.now() + options.timeoutMs;
        continue;
      }
      return { postgres, elasticsearch, converged, seconds: (Date.now() - started) / 1000, reconciled };
    }
    await sleep(1_000);
  }
}
