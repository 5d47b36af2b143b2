import { Redis } from 'ioredis';
import type { Config } from './config.ts';

/** BullMQ needs `maxRetriesPerRequest: null` on the connections it blocks on. */
export function createRedis(config: Config): Redis {
  return new Redis(config.redis.url, { maxRetriesPerRequest: null });
}

/** For request paths (rate limits): a command fails soon when Redis is away instead of waiting for it. */
export function createRequestRedis(config: Config): Redis {
  return new Redis(config.redis.url, { maxRetriesPerRequest: 1, connectTimeout: 2_000 });
}
