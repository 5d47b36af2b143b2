import { errors, type Client } from '@elastic/elasticsearch';
import { parseDailyIndex, type IndexNames, type WritePlan } from './es-index.ts';
import type { Logger } from './logger.ts';

const PLAN_ID = 'write';

function isNotFound(error: unknown): boolean {
  return error instanceof errors.ResponseError && error.statusCode === 404;
}

/** The highest generation behind the read alias: what a lost plan document falls back to (1 on a fresh install). */
async function generationBehindAlias(client: Client, names: IndexNames): Promise<number> {
  try {
    const aliases = await client.indices.getAlias({ name: names.readAlias });
    const generations = Object.keys(aliases).flatMap((index) => parseDailyIndex(names, index)?.generation ?? []);
    return generations.length > 0 ? Math.max(...generations) : 1;
  } catch (error) {
    if (isNotFound(error)) return 1;
    throw error;
  }
}

/**
 * The write plan lives in Elasticsearch beside the indices it describes: every writer of
 * documents (the ES sink, the reconciler) can read it without another store, and when
 * Elasticsearch is wiped the plan goes with the indices it named.
 */
export async function readWritePlan(client: Client, names: IndexNames): Promise<WritePlan> {
  try {
    const doc = await client.get<WritePlan>({ index: names.generations, id: PLAN_ID });
    if (doc._source) return doc._source;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  return { generation: await generationBehindAlias(client, names) };
}

export async function writeWritePlan(client: Client, names: IndexNames, plan: WritePlan): Promise<void> {
  await client.index({ index: names.generations, id: PLAN_ID, document: plan, refresh: true });
}

/** The write plan a writer follows: `current` is the plan as last read. */
export interface FollowedWritePlan {
  readonly current: WritePlan;
  stop(): void;
}

/**
 * Loads the write plan before the caller writes anything, then re-reads it every `refreshMs`
 * (ES_GENERATION_REFRESH_MS) so a writer that names indices from `current` follows a reindex.
 * A failed refresh keeps the last plan: a reindex announces its cutover far enough ahead to
 * outlast a few of them.
 */
export async function followWritePlan(client: Client, names: IndexNames, refreshMs: number, logger: Logger): Promise<FollowedWritePlan> {
  let current = await readWritePlan(client, names);
  logger.info({ plan: current }, 'writing to generation');
  const timer = setInterval(() => {
    readWritePlan(client, names).then(
      (plan) => {
        if (JSON.stringify(plan) !== JSON.stringify(current)) logger.info({ plan }, 'write plan changed');
        current = plan;
      },
      (err: unknown) => logger.warn({ err }, 'could not refresh the write plan; keeping the last one'),
    );
  }, refreshMs);
  timer.unref();
  return {
    get current() {
      return current;
    },
    stop: () => clearInterval(timer),
  };
}
