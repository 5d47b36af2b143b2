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
