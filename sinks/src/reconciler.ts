import type { Config } from '@logflow/core/config';
import type { Logger } from '@logflow/core/logger';
import { createRedis } from '@logflow/core/redis';

/**
 * The reconciler role. For now it only connects to Redis and waits: the BullMQ worker that
 * compares Postgres with Elasticsearch and replays what is missing comes with its own issue.
 */
export async function startReconciler(config: Config, logger: Logger): Promise<() => Promise<void>> {
  const redis = createRedis(config);
  await redis.ping();
  logger.info('reconciler connected to Redis; waiting (reconcile jobs are not implemented yet)');
  return async () => {
    await redis.quit();
  };
}
