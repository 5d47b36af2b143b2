import { Redis } from 'ioredis';
import type { Config } from './config.ts';

/** BullMQ needs `maxRetriesPerRequest: null` on the connections it blocks on. */
export function createRedis(config: Config): Redis {
  return new Redis(config.redis.url, { maxRetriesPerRequest: null });
}
