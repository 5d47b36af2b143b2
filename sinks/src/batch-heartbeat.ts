/** Errors with which the group coordinator says this member must rejoin before going on. */
const LOST_MEMBERSHIP = new Set(['REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID']);

/**
 * Heart-beats on a timer while a batch waits for the store to make room. kafkajs only
 * heart-beats between batches, so a wait longer than the session timeout would get the member
 * thrown out, its partitions reassigned and the work redone, again and again. When the
 * coordinator answers that the group is rebalancing, `lost` turns true: the batch should give
 * up (unresolved, so it comes again) and let the consumer rejoin.
 */
export class BatchHeartbeat {
  private timer: NodeJS.Timeout | undefined;
  lost = false;

  constructor(
    private readonly heartbeat: () => Promise<void>,
    private readonly everyMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.heartbeat().catch((error: unknown) => {
        if (LOST_MEMBERSHIP.has((error as { type?: string }).type ?? '')) this.lost = true;
      });
    }, this.everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
