import type { Logger } from '@logflow/core/logger';

export interface BatchControl {
  isRunning(): boolean;
  isStale(): boolean;
  heartbeat(): Promise<void>;
}

const MAX_BACKOFF_MS = 30_000;

/**
 * Runs `attempt` until it succeeds, backing off and heart-beating in between, so a slow or
 * down engine neither loses the batch nor costs the consumer its group membership. Returns
 * false when the consumer stops or loses the partition first: the batch is then not done,
 * its offsets stay unresolved and Kafka redelivers it.
 */
export async function retryUntilDone(
  attempt: () => Promise<void>,
  control: BatchControl,
  logger: Logger,
  what: string,
): Promise<boolean> {
  for (let failures = 0; ; failures++) {
    if (!control.isRunning() || control.isStale()) return false;
    try {
      await attempt();
      return true;
    } catch (error) {
      const wait = Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(failures, 7));
      logger.warn({ err: error, failures: failures + 1, retryInMs: wait }, `${what} failed; retrying`);
      await sleepWithHeartbeat(wait, control);
    }
  }
}

async function sleepWithHeartbeat(ms: number, control: BatchControl): Promise<void> {
  const step = 1_000;
  for (let slept = 0; slept < ms && control.isRunning(); slept += step) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(step, ms - slept)));
    await control.heartbeat().catch(() => undefined);
  }
}
