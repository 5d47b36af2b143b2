import type { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import type { Logger } from '../logger.ts';

export interface FailedAuthOptions {
  /** Failed authentications an address may have in a window; beyond, it is refused (429) until the window ends. */
  max: number;
  windowMs: number;
}

/**
 * Failed authentications per client address, counted in Redis (rate-limiter-flexible) so every
 * process of an installation shares them. An address past the limit is refused before its key
 * is looked up: guessing keys is slowed down and no longer costs a Postgres lookup each. Redis
 * unavailable lifts the limit (as the per-key rate limit does) rather than refusing everyone.
 */
export class FailedAuthLimit {
  private readonly limiter: RateLimiterRedis;

  constructor(
    redis: Redis,
    redisPrefix: string,
    private readonly options: FailedAuthOptions,
    private readonly logger: Logger,
  ) {
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${redisPrefix}:auth-failures`,
      points: options.max,
      duration: Math.max(1, Math.ceil(options.windowMs / 1_000)),
      rejectIfRedisNotReady: true,
    });
  }

  /** How long the address must wait before it may try a key again; 0: it may now. */
  async retryAfterMs(address: string): Promise<number> {
    try {
      const state = await this.limiter.get(address);
      return state && state.consumedPoints >= this.options.max ? Math.max(1, state.msBeforeNext) : 0;
    } catch (err) {
      this.logger.warn({ err }, 'failed-authentication counter unavailable (Redis); not limiting');
      return 0;
    }
  }

  async countFailure(address: string): Promise<void> {
    try {
      await this.limiter.penalty(address, 1);
    } catch (err) {
      this.logger.warn({ err }, 'failed-authentication counter unavailable (Redis); not counted');
    }
  }
}
