import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fixKafkajsIdleLoop, REQUEST_TIMEOUT_CHECK_MS } from './kafkajs-idle-fix.ts';
import { setTimeout as sleep } from 'node:timers/promises';

const require = createRequire(import.meta.url);
const RequestQueue = require('kafkajs/src/network/requestQueue/index.js');
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

function queue(maxInFlightRequests: number) {
  return new RequestQueue({ maxInFlightRequests, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 't', broker: 'b', logger: silent });
}

function request(sent: number[], n: number) {
  return { entry: { correlationId: n, apiName: 'Fetch', apiKey: 1, apiVersion: 11, resolve() {}, reject() {} }, expectResponse: true, requestTimeout: 30_000, sendRequest: () => sent.push(n) };
}

describe('fixKafkajsIdleLoop', () => {
  const queues: { throttleCheckTimeoutId: NodeJS.Timeout | null }[] = [];
  afterEach(() => {
    for (const q of queues.splice(0)) if (q.throttleCheckTimeoutId) clearTimeout(q.throttleCheckTimeoutId);
  });

  it('leaves no timer armed on a connection with nothing to send', () => {
    fixKafkajsIdleLoop();
    const q = queue(1);
    queues.push(q);
    const before = timers();
    q.checkPendingRequests();
    expect(timers()).toBe(before);
  });

  it('still sends a queued request once a client-side throttle ends', async () => {
    fixKafkajsIdleLoop();
    const q = queue(10);
    queues.push(q);
    const sent: number[] = [];
    q.maybeThrottle(30);
    q.push(request(sent, 1));
    expect(sent).toEqual([]);
    await sleep(100);
    expect(sent).toEqual([1]);
  });

  it('still sends a request queued behind a full connection when the one in flight is answered', () => {
    fixKafkajsIdleLoop();
    const q = queue(1);
    queues.push(q);
    const sent: number[] = [];
    q.push(request(sent, 1));
    q.push(request(sent, 2));
    expect(sent).toEqual([1]);
    q.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
    expect(sent).toEqual([1, 2]);
  });

  it('looks for timed-out requests on a connection once a second, not every 100 ms', () => {
    fixKafkajsIdleLoop();
    vi.useFakeTimers();
    let checks = 0;
    const q = new RequestQueue({ maxInFlightRequests: 1, requestTimeout: 30_000, enforceRequestTimeout: true, clientId: 't', broker: 'b', logger: silent, isConnected: () => (checks++, true) });
    try {
      q.scheduleRequestTimeoutCheck();
      vi.advanceTimersByTime(3 * REQUEST_TIMEOUT_CHECK_MS);
      expect(checks).toBe(3);
    } finally {
      q.destroy();
      vi.useRealTimers();
    }
  });

  it('still fails a request the broker never answers, once its timeout has passed', () => {
    fixKafkajsIdleLoop();
    vi.useFakeTimers();
    const q = new RequestQueue({ maxInFlightRequests: 1, requestTimeout: 1_500, enforceRequestTimeout: true, clientId: 't', broker: 'b', logger: silent });
    const failures: Error[] = [];
    try {
      q.scheduleRequestTimeoutCheck();
      const sent: number[] = [];
      const pushed = request(sent, 1);
      q.push({ ...pushed, requestTimeout: 1_500, entry: { ...pushed.entry, reject: (error: Error) => failures.push(error) } });
      expect(sent).toEqual([1]);
      vi.advanceTimersByTime(1_000);
      expect(failures).toEqual([]);
      vi.advanceTimersByTime(1_000);
      expect(failures.map((error) => error.name)).toEqual(['KafkaJSRequestTimeoutError']);
    } finally {
      q.destroy();
      vi.useRealTimers();
    }
  });
});
