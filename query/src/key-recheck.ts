import { AppError } from '@logflow/core';

/** How often a long-running stream (tail, export) asks whether its key is still valid: a revoked key's streams end within this (plus the key cache). */
export const KEY_RECHECK_MS = 2_000;

/** Whether the request's key is still active; undefined with keys off (nothing to revoke). */
export type KeyCheck = (() => Promise<boolean>) | undefined;

/**
 * The chunks of a stream as long as its key is active, re-checked at most every `everyMs`
 * before a chunk goes out. A revoked key ends the stream with an error: the client gets a cut
 * answer (no complete export it could take for the whole).
 */
export async function* whileKeyActive<T>(chunks: AsyncIterable<T>, stillActive: KeyCheck, everyMs = KEY_RECHECK_MS): AsyncGenerator<T> {
  let checkedAt = Date.now();
  for await (const chunk of chunks) {
    if (stillActive && Date.now() - checkedAt >= everyMs) {
      checkedAt = Date.now();
      if (!(await stillActive())) throw new AppError(401, 'key_revoked', 'the API key was revoked while this stream was open');
    }
    yield chunk;
  }
}
