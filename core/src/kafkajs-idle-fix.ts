import { createRequire } from 'node:module';

interface InflightRequest {
  sentAt: number;
  requestTimeout: number;
  timeoutRequest(): void;
}

interface RequestQueuePrototype {
  pending: unknown[];
  inflight: Map<number, InflightRequest>;
  throttledUntil: number;
  requestTimeout: number;
  enforceRequestTimeout: boolean;
  requestTimeoutIntervalId?: NodeJS.Timeout;
  isConnected(): boolean;
  destroy(): void;
  // Properties, not methods: read off the prototype, kept, and called back with `.call(this)`.
  scheduleCheckPendingRequests: (this: RequestQueuePrototype) => void;
  scheduleRequestTimeoutCheck: (this: RequestQueuePrototype) => void;
  idleFix?: true;
}

/**
 * How often a connection looks for requests past their timeout (kafkajs: every 100 ms). A
 * request times out after 30 s by default (a fetch after its wait plus that), so noticing it
 * within a second instead of a tenth changes nothing a caller can see.
 */
export const REQUEST_TIMEOUT_CHECK_MS = 1_000;

/**
 * Two timers kafkajs 2.2.4 keeps on every broker connection, whatever the traffic, make idle
 * roles wake up for nothing (each wake-up costs ~0.1–0.25 ms of CPU on this kind of VM):
 * - it re-arms a timer of about 1 ms forever, even with nothing queued and no throttle
 *   (tulios/kafkajs#1556, not fixed upstream): 2–6 % of a core per idle role. The queue is
 *   checked anyway whenever a request is queued, answered or times out, so with nothing pending
 *   and no throttle to wait out there is nothing to schedule;
 * - it looks for timed-out requests every 100 ms: with a sink's four connections, 40 wake-ups a
 *   second. Once a second is enough (REQUEST_TIMEOUT_CHECK_MS).
 * Applied once per process; the prototype is shared by every kafkajs client in it.
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
  // kafkajs's own check, at a longer period.
  prototype.scheduleRequestTimeoutCheck = function (this: RequestQueuePrototype) {
    if (!this.enforceRequestTimeout) return;
    this.destroy();
    this.requestTimeoutIntervalId = setInterval(
      () => {
        this.inflight.forEach((request) => {
          if (Date.now() - request.sentAt > request.requestTimeout) request.timeoutRequest();
        });
        if (!this.isConnected()) this.destroy();
      },
      Math.min(this.requestTimeout, REQUEST_TIMEOUT_CHECK_MS),
    );
  };
  prototype.idleFix = true;
}
