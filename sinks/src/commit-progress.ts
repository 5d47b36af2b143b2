/**
 * Which offset of each partition may be committed while several batches of it are written at
 * once: only up to the end of the leading run of finished batches, so a commit never passes
 * a record that is not written yet, whatever order the writes finish in.
 */
export class CommitProgress {
  private readonly pending = new Map<number, { lastOffset: bigint; done: boolean }[]>();

  /** A batch handed to the writer; batches of a partition must be added in offset order. */
  add(partition: number, lastOffset: string): void {
    const queue = this.pending.get(partition) ?? [];
    queue.push({ lastOffset: BigInt(lastOffset), done: false });
    this.pending.set(partition, queue);
  }

  /** Marks a batch written; returns the offset to commit when the partition's leading run grew. */
  done(partition: number, lastOffset: string): string | undefined {
    const queue = this.pending.get(partition);
    const entry = queue?.find((e) => e.lastOffset === BigInt(lastOffset) && !e.done);
    if (!queue || !entry) return undefined;
    entry.done = true;
    let committable: bigint | undefined;
    while (queue[0]?.done) committable = queue.shift()!.lastOffset + 1n;
    return committable?.toString();
  }

  /** Batches handed over and not written yet. */
  get inFlight(): number {
    let n = 0;
    for (const queue of this.pending.values()) n += queue.filter((e) => !e.done).length;
    return n;
  }

  /** After a rebalance (all partitions) or a seek (one) the positions start again elsewhere. */
  clear(partition?: number): void {
    if (partition === undefined) this.pending.clear();
    else this.pending.delete(partition);
  }
}
