import net from 'node:net';

/**
 * Follows the framing of what Postgres sends (after the startup, every message is a type byte
 * and a 4-byte length that counts itself) and refuses a message longer than `maxBytes` as soon
 * as its length is known. pg would buffer such a message whole and then fail to make a string
 * of it above 512 MB (ERR_STRING_TOO_LONG, thrown in a socket handler: the process ends). A
 * huge error message cannot be cut inside Postgres the way values are: `repeat('x', 6e8)::int`
 * quotes the whole value in its error.
 */
export class MessageSizeGuard {
  private header: number[] = [];
  private bodyLeft = 0;

  constructor(readonly maxBytes: number) {}

  /** The length of the first message over the cap in `chunk`, or undefined if all are within it. */
  oversized(chunk: Buffer): number | undefined {
    let at = 0;
    while (at < chunk.length) {
      if (this.bodyLeft > 0) {
        const taken = Math.min(this.bodyLeft, chunk.length - at);
        this.bodyLeft -= taken;
        at += taken;
        continue;
      }
      this.header.push(chunk[at++]!);
      if (this.header.length < 5) continue;
      const length = Buffer.from(this.header).readUInt32BE(1) - 4;
      this.header = [];
      if (length > this.maxBytes) return length;
      this.bodyLeft = length;
    }
    return undefined;
  }
}

export const MESSAGE_TOO_LARGE = 'LOGFLOW_PG_MESSAGE_TOO_LARGE';

/** A socket that ends the connection, with an error of code MESSAGE_TOO_LARGE, rather than read an oversized message. */
class GuardedSocket extends net.Socket {
  private readonly guard: MessageSizeGuard;

  constructor(maxBytes: number) {
    super();
    this.guard = new MessageSizeGuard(maxBytes);
  }

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'data' && !this.destroyed) {
      const length = this.guard.oversized(args[0] as Buffer);
      if (length !== undefined) {
        const error = Object.assign(new Error(`Postgres sent a message of ${length} bytes, more than the ${this.guard.maxBytes} the SQL console reads`), {
          code: MESSAGE_TOO_LARGE,
        });
        this.destroy(error);
        return false;
      }
    }
    return super.emit(event, ...args);
  }
}

/**
 * pg's `stream` option: connections whose messages from Postgres are at most `maxBytes`. Not for
 * TLS connections, whose bytes on the socket are encrypted (their pool keeps pg's own socket).
 */
export function guardedStream(maxBytes: number) {
  return (config?: { ssl?: unknown }): net.Socket => (config?.ssl ? new net.Socket() : new GuardedSocket(maxBytes));
}
