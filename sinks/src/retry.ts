import type { Logger } from '@logflow/core/logger';

export interface BatchControl {
  isRunning(): boolean;
  isStale(): boolean;
  /** True once the group is rebalancing and this member must rejoin. */
  lostMembership(): boolean;
}

const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 30_000;
const POLL_MS = 250;

export function backoffMs(failures: number): number {
  return Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** Math.min(failures, 10));
}

/**
 * Runs `attempt` until it succeeds, backing off in between, so a slow or down engine never
 * loses the batch. Returns false when the consumer stops, the partition is sought elsewhere
 * or the group rebalances first: the batch is then not done, its offsets stay unresolved
 * and Kafka redelivers it.
 */
export async function retryUntilDone(
  attempt: () => Promise<void>,
  control: BatchControl,
  logger: Logger,
  what: string,
  onFailure: (error: unknown) => void = () => undefined,
): Promise<boolean> {
  const givenUp = () => !control.isRunning() || control.isStale() || control.lostMembership();
  for (let failures = 0; ; failures++) {
    if (givenUp()) return false;
    try {
      await attempt();
      return true;
    } catch (error) {
      onFailure(error);
      const wait = backoffMs(failures);
      logger.warn({ err: error, failures: failures + 1, retryInMs: wait }, `${what} failed; retrying`);
      for (let slept = 0; slept < wait && !givenUp(); slept += POLL_MS) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, wait - slept)));
      }
    }
  }
}
