import { randomFillSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

/**
 * Time-ordered ids keep Elasticsearch and Postgres inserts close to append-only. Entropy is
 * fetched 4,096 ids at a time (one random syscall per id made id generation 5x slower), so a
 * generator holds a buffer: each writer of ids owns one, nothing is shared through the module.
 */
export class LogIdGenerator {
  private readonly entropy = Buffer.alloc(16 * 4096);
  private offset = this.entropy.length;

  next(): string {
    if (this.offset >= this.entropy.length) {
      randomFillSync(this.entropy);
      this.offset = 0;
    }
    const random = this.entropy.subarray(this.offset, (this.offset += 16));
    return uuidv7({ random });
  }
}
