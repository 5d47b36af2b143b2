/**
 * Bounds the bytes of records handed to a background writer and not written yet, so a slow
 * store makes the consumer wait instead of the process growing. A batch larger than the
 * whole budget still passes when nothing else is waiting.
 */
export class Backlog {
  private used = 0;
  private readonly waiting: { bytes: number; resolve: () => void }[] = [];
  private readonly emptied: (() => void)[] = [];

  constructor(private readonly maxBytes: number) {}

  get bytes(): number {
    return this.used;
  }

  acquire(bytes: number): Promise<void> {
    if (this.waiting.length === 0 && (this.used === 0 || this.used + bytes <= this.maxBytes)) {
      this.used += bytes;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push({ bytes, resolve }));
  }

  release(bytes: number): void {
    this.used -= bytes;
    while (this.waiting.length > 0 && (this.used === 0 || this.used + this.waiting[0]!.bytes <= this.maxBytes)) {
      const next = this.waiting.shift()!;
      this.used += next.bytes;
      next.resolve();
    }
    if (this.used === 0) for (const resolve of this.emptied.splice(0)) resolve();
  }

  /** Resolves once everything acquired has been released. */
  drained(): Promise<void> {
    return this.used === 0 ? Promise.resolve() : new Promise((resolve) => this.emptied.push(resolve));
  }
}
