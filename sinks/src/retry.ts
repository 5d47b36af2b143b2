import type { Logger } from '@logflow/core';
import { setTimeout as sleep } from 'node:timers/promises';

const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 30_000;
const POLL_MS = 250;

export function backoffMs(failures: number): number {
  return Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** Math.min(failures, 10));
}

/**
 * Runs `attempt` until it succeeds, backing off in between, so a slow or down engine never
 * loses the batch. Returns false when `stillWanted` turns false first (the consumer stops, the
 * group rebalances, the partition is sought elsewhere) or the attempt itself sought the
 * partition elsewhere: the batch is then not done, nothing past it is committed, and Kafka
 * delivers it again.
 */
export async function retryUntilDone(
  attempt: () => Promise<void | 'sought'>,
  stillWanted: () => boolean,
  logger: Logger,
  what: string,
  onFailure: (error: unknown) => void = () => undefined,
): Promise<boolean> {
  const givenUp = () => !stillWanted();
  for (let failures = 0; ; failures++) {
    if (givenUp()) return false;
    try {
      return (await attempt()) !== 'sought';
    } catch (error) {
      onFailure(error);
      const wait = backoffMs(failures);
      logger.warn({ err: error, failures: failures + 1, retryInMs: wait }, `${what} failed; retrying`);
      for (let slept = 0; slept < wait && !givenUp(); slept += POLL_MS) {
        await sleep(Math.min(POLL_MS, wait - slept));
      }
    }
  }
}
