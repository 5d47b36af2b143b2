import { createRequire } from 'node:module';

interface RequestQueuePrototype {
  pending: unknown[];
  throttledUntil: number;
  // A property, not a method: it is read off the prototype, kept, and called back with `.call(this)`.
  scheduleCheckPendingRequests: (this: RequestQueuePrototype) => void;
  idleFix?: true;
}

/**
 * kafkajs 2.2.4 re-arms a timer of about 1 ms on every broker connection forever, even with
 * nothing queued and no throttle (tulios/kafkajs#1556, not fixed upstream): each idle role
 * spent 2–6 % of a core on it, and busy ones more. The queue is checked anyway whenever a
 * request is queued, answered or times out, so with nothing pending and no throttle to wait
 * out there is nothing to schedule. Applied once per process; the prototype is shared by
 * every kafkajs client in it.
 */
export function fixKafkajsIdleLoop(): void {
  const require = createRequire(import.meta.url);
  const { prototype } = require('kafkajs/src/network/requestQueue/index.js') as { prototype: RequestQueuePrototype };
  if (prototype.idleFix) return;
  const schedule = prototype.scheduleCheckPendingRequests;
  prototype.scheduleCheckPendingRequests = function (this: RequestQueuePrototype) {
    if (this.pending.length === 0 && this.throttledUntil <= Date.now()) return;
    schedule.call(this);
  };
  prototype.idleFix = true;
}
