import { AppError } from '@logflow/core';

/** At most `max` long-running requests (tails, exports, SQL statements) at once per API key; 429 beyond. */
export class PerKeySlots {
  private readonly held = new Map<string, number>();

  constructor(
    readonly max: number,
    private readonly what: string,
  ) {}

  /** Takes a slot for the key; the returned function gives it back (calling it again does nothing). Without a key (LOGFLOW_AUTH=off) nothing is counted. */
  acquire(keyId: string | undefined): () => void {
    if (keyId === undefined) return () => undefined;
    const held = this.held.get(keyId) ?? 0;
    if (held >= this.max) {
      throw new AppError(429, `too_many_${this.what}`, `this key already has ${held} ${this.what} running (at most ${this.max}); end one first`, undefined, {
        'retry-after': '10',
      });
    }
    this.held.set(keyId, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.held.get(keyId) ?? 1) - 1;
      if (left === 0) this.held.delete(keyId);
      else this.held.set(keyId, left);
    };
  }
}
