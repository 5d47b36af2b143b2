import { Redis } from 'ioredis';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';

/**
 * ioredis reconnects by itself; without an 'error' listener each failed attempt is printed as
 * "Unhandled error event" outside the logger, so every connection logs its failures here.
 */
function withErrorLog(redis: Redis, logger: Logger): Redis {
  redis.on('error', (err) => logger.warn({ err }, 'Redis connection failed'));
  return redis;
}

/** BullMQ needs `maxRetriesPerRequest: null` on the connections it blocks on. */
export function createRedis(config: Config, logger: Logger): Redis {
  return withErrorLog(new Redis(config.redis.url, { maxRetriesPerRequest: null }), logger);
}

/** For request paths (rate limits): a command fails soon when Redis is away instead of waiting for it. */
export function createRequestRedis(config: Config, logger: Logger): Redis {
  return withErrorLog(new Redis(config.redis.url, { maxRetriesPerRequest: 1, connectTimeout: 2_000 }), logger);
}
