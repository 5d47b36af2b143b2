import { createRequire } from 'node:module';

/** What a kafkajs ConsumerGroup's fetch reads its broker wait from (kafkajs 2.2.4, src/consumer/consumerGroup.js). */
export interface FetchingGroup {
  minBytes: number;
  maxWaitTime: number;
}

interface FetchedBatch {
  isEmpty(): boolean;
}

type GroupFetch = (this: FetchingGroup, nodeId: number) => Promise<FetchedBatch[]>;

interface ConsumerGroupPrototype {
  fetch: GroupFetch;
  idleFetch?: { idleWaitMs: number };
}

/** The wait a consumer was configured with, kept on its ConsumerGroup the first time it fetches. */
const BATCHING = Symbol('logflow.batchingFetch');

type Group = FetchingGroup & { [BATCHING]?: { minBytes: number; maxWaitTime: number } };

/**
 * A batching consumer (minBytes > 1) has the broker hold each fetch until minBytes are there or
 * maxWait has passed. Under load that makes large writes; idle, it is two empty fetches a second
 * per sink for nothing, and a trickle's log waits out maxWait. So while idle (from the start, and
 * after a fetch that found every partition empty) a fetch asks for a single byte and may wait
 * `idleWaitMs()`: the broker answers with the first record that arrives, or at once with a
 * backlog. A fetch that brings records restores the batching settings for the next. One that
 * asked nothing (every partition paused) or failed returns no batch and changes nothing: a
 * paused sink keeps re-checking at the batching wait.
 */
export function idleAwareFetch(fetch: GroupFetch, idleWaitMs: () => number): GroupFetch {
  return async function (this: Group, nodeId: number) {
    let batching = this[BATCHING];
    if (!batching) {
      batching = this[BATCHING] = { minBytes: this.minBytes, maxWaitTime: this.maxWaitTime };
      if (batching.minBytes <= 1) return fetch.call(this, nodeId);
      this.minBytes = 1;
      this.maxWaitTime = Math.max(idleWaitMs(), batching.maxWaitTime);
    }
    if (batching.minBytes <= 1) return fetch.call(this, nodeId);
    const batches = await fetch.call(this, nodeId);
    if (batches.length > 0) {
      const idle = batches.every((batch) => batch.isEmpty());
      this.minBytes = idle ? 1 : batching.minBytes;
      this.maxWaitTime = idle ? Math.max(idleWaitMs(), batching.maxWaitTime) : batching.maxWaitTime;
    }
    return batches;
  };
}

/**
 * Makes every batching kafkajs consumer of this process fetch as `idleAwareFetch` says (kafkajs
 * has no setting for it and cannot change a running consumer's wait). Consumers with kafkajs's
 * default minBytes of 1 (the DLQ reader, live tail) are left as they are. Applied to the shared
 * prototype once; a later call only changes the idle wait.
 */
export function fetchOnFirstRecordWhenIdle(idleWaitMs: number): void {
  const require = createRequire(import.meta.url);
  const { prototype } = require('kafkajs/src/consumer/consumerGroup.js') as { prototype: ConsumerGroupPrototype };
  if (prototype.idleFetch) {
    prototype.idleFetch.idleWaitMs = idleWaitMs;
    return;
  }
  const settings = { idleWaitMs };
  prototype.fetch = idleAwareFetch(prototype.fetch, () => settings.idleWaitMs);
  prototype.idleFetch = settings;
}
