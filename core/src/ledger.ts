import type { Redis } from 'ioredis';
import type { Config } from './config.ts';

/**
 * The completeness ledger's counts kept in Redis, per installation and topic: logs the
 * ingesters acknowledged (2xx) and documents the ES sink created. Postgres keeps its own
 * count beside each partition's offset (sink_offsets.logs_written), in the same transaction
 * as the rows, so that one is exact.
 */
export type LedgerCounter = 'accepted' | 'elasticsearchIndexed';

export interface LedgerCounts {
  accepted: number;
  elasticsearchIndexed: number;
}

export function ledgerKey(config: Config): string {
  return `${config.adminJobs.bullPrefix}:ledger:${config.kafka.topic}`;
}

export async function addToLedger(redis: Redis, key: string, counter: LedgerCounter, count: number): Promise<void> {
  if (count > 0) await redis.hincrby(key, counter, count);
}

export async function readLedger(redis: Redis, key: string): Promise<LedgerCounts> {
  const values = await redis.hgetall(key);
  return { accepted: Number(values.accepted ?? 0), elasticsearchIndexed: Number(values.elasticsearchIndexed ?? 0) };
}

/**
 * A ledger count added up in memory and written to Redis a few times a second: one Redis
 * command per interval instead of one per ingest request. A process killed outright loses
 * what it had not written yet; a stopped one writes it on close.
 */
export class BatchedLedgerCount {
  private pending = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly counter: LedgerCounter,
    private readonly onError: (error: unknown) => void,
    everyMs = 200,
  ) {
    this.timer = setInterval(() => void this.flush(), everyMs);
    this.timer.unref();
  }

  add(count: number): void {
    this.pending += count;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async flush(): Promise<void> {
    const count = this.pending;
    if (count === 0) return;
    this.pending = 0;
    try {
      await addToLedger(this.redis, this.key, this.counter, count);
    } catch (error) {
      // Kept for the next write rather than dropped.
      this.pending += count;
      this.onError(error);
    }
  }
}
