import { AppError } from '@logflow/core';

/**
 * Bounds the memory of the requests in progress: a body's bytes are taken once it is read and
 * given back when its answer is sent (or the client goes away). A parsed batch held until Kafka
 * acknowledges it costs about 8 times its body on the heap (objects, validated copies, records,
 * the JSON sent), so this bound, not the producer's queue, is what keeps the ingester's heap
 * under its cap (cli/run-all.ts): beyond it requests answer 429 instead of the process running
 * out of memory. One request is always let in, whatever its size (up to the body limit).
 */
export class BodyBudget {
  private inUse = 0;
  private readonly sizes = new WeakMap<object, number>();

  constructor(private readonly maxBytes: number) {}

  /** Called by a body parser with the body it read. */
  record(request: object, bytes: number): void {
    this.sizes.set(request, bytes);
  }

  /** Takes the request's body bytes until `done` fires; throws 429 when they do not fit. */
  take(request: object, done: { once(event: 'close', listener: () => void): unknown }): void {
    const bytes = this.sizes.get(request);
    if (bytes === undefined) return;
    if (this.inUse > 0 && this.inUse + bytes > this.maxBytes) {
      throw new AppError(429, 'ingest_queue_full', 'the ingester is at capacity; retry shortly', undefined, { 'retry-after': '1' });
    }
    this.inUse += bytes;
    done.once('close', () => (this.inUse -= bytes));
  }

  get bytesInUse(): number {
    return this.inUse;
  }
}
