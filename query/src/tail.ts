import type { Client, estypes } from '@elastic/elasticsearch';
import type { LogRecord } from '@logflow/core';
import { setTimeout as sleep } from 'node:timers/promises';
import { KEY_RECHECK_MS, type KeyCheck } from './key-recheck.ts';
import { aliasTarget } from './search-request.ts';

export interface TailOptions {
  /** How often Elasticsearch is asked for new logs (a refresh makes them searchable every second). */
  pollMs: number;
  /** Events per second one connection gets at most; a busier query is delivered late, never dropped. */
  maxEventsPerSecond: number;
  /** A connection ends after this long with an `end` event; the client reconnects with Last-Event-ID. */
  maxDurationMs: number;
  /** A log that becomes searchable up to this long after newer ones (another Kafka partition, a slower bulk) is still delivered. */
  latenessMs: number;
  /** A comment line this often keeps proxies from closing an idle stream. */
  heartbeatMs: number;
  /** How often the connection's key is checked again: a revoked key's tail ends then. */
  keyRecheckMs: number;
}

export const DEFAULT_TAIL_OPTIONS: TailOptions = {
  pollMs: 300,
  maxEventsPerSecond: 500,
  maxDurationMs: 3_600_000,
  latenessMs: 15_000,
  heartbeatMs: 15_000,
  keyRecheckMs: KEY_RECHECK_MS,
};

const MAX_PAGE = 500;

/** Where a tail stands: the receivedAt (ms) of the last log sent and its id. */
export interface TailPosition {
  receivedAt: number;
  id?: string;
}

/** An SSE event id: `<receivedAt ms>_<log id>`; the browser sends it back as Last-Event-ID. */
export function formatEventId(log: LogRecord): string {
  return `${Date.parse(log.receivedAt)}_${log.id}`;
}

export function parseEventId(text: string): TailPosition | undefined {
  const match = /^(\d{1,15})_([0-9a-fA-F-]{36})$/.exec(text.trim());
  return match ? { receivedAt: Number(match[1]), id: match[2] } : undefined;
}

/**
 * What has been sent, to ask only for what has not. Logs come in receivedAt order, but one may
 * become searchable after newer ones; so each poll looks back `latenessMs` before the newest
 * log sent and leaves out the ids already sent within that window (at most the window's worth
 * of events, which the rate limit bounds).
 */
export class TailCursor {
  private readonly sent = new Map<string, number>();
  private newest: number;

  constructor(
    private readonly readAlias: string,
    private readonly start: TailPosition,
    private readonly latenessMs: number,
  ) {
    this.newest = start.receivedAt;
    if (start.id) this.sent.set(start.id, start.receivedAt);
  }

  request(query: estypes.QueryDslQueryContainer, size: number): estypes.SearchRequest {
    const from = Math.max(this.start.receivedAt, this.newest - this.latenessMs);
    return {
      ...aliasTarget(this.readAlias),
      size,
      track_total_hits: false,
      query: {
        bool: {
          filter: [query, { range: { receivedAt: { gte: new Date(from).toISOString() } } }],
          ...(this.sent.size > 0 && { must_not: [{ ids: { values: [...this.sent.keys()] } }] }),
        },
      },
      sort: [{ receivedAt: { order: 'asc' } }, { id: { order: 'asc' } }],
    };
  }

  /** Records a page as sent; returns the logs not sent before. */
  accept(logs: LogRecord[]): LogRecord[] {
    const fresh = logs.filter((log) => !this.sent.has(log.id));
    for (const log of fresh) {
      const at = Date.parse(log.receivedAt);
      this.sent.set(log.id, at);
      this.newest = Math.max(this.newest, at);
    }
    const horizon = this.newest - this.latenessMs;
    for (const [id, at] of this.sent) if (at < horizon) this.sent.delete(id);
    return fresh;
  }

  get remembered(): number {
    return this.sent.size;
  }
}

export function sseEvent(event: string, data: unknown, id?: string): string {
  return `${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

interface TailRun {
  es: Client;
  query: estypes.QueryDslQueryContainer;
  cursor: TailCursor;
  options: TailOptions;
  /** Writes to the client; resolves once the client has taken it (backpressure). */
  send: (text: string) => Promise<void>;
  signal: AbortSignal;
  /** Whether the key that opened the tail is still active; undefined with keys off. */
  keyStillActive?: KeyCheck;
}

/**
 * Polls until the client leaves, the server stops or the connection's time is up. Events are
 * rationed by a token bucket (a second's worth at most in one burst); a poll that fills its page
 * with tokens left polls again at once. An Elasticsearch failure is reported as an `error` event
 * and retried after a pause.
 */
export async function runTail({ es, query, cursor, options, send, signal, keyStillActive }: TailRun): Promise<void> {
  const deadline = Date.now() + options.maxDurationMs;
  let keyCheckedAt = Date.now();
  const rate = options.maxEventsPerSecond;
  let tokens = rate;
  let refilledAt = Date.now();
  let lastWrite = Date.now();
  const pause = (ms: number) => sleep(ms, undefined, { signal }).catch(() => undefined);
  while (!signal.aborted) {
    if (Date.now() >= deadline) {
      await send(sseEvent('end', { reason: 'this connection reached its maximum duration; reconnect with Last-Event-ID to go on' }));
      return;
    }
    if (keyStillActive && Date.now() - keyCheckedAt >= options.keyRecheckMs) {
      keyCheckedAt = Date.now();
      if (!(await keyStillActive())) {
        await send(sseEvent('end', { reason: 'the API key of this tail was revoked' }));
        return;
      }
    }
    tokens = Math.min(rate, tokens + ((Date.now() - refilledAt) * rate) / 1_000);
    refilledAt = Date.now();
    const budget = Math.min(MAX_PAGE, Math.floor(tokens));
    if (budget < 1) {
      await pause(options.pollMs);
      continue;
    }
    let backlog: boolean;
    try {
      const response = await es.search<LogRecord>(cursor.request(query, budget));
      const fresh = cursor.accept(response.hits.hits.flatMap((hit) => (hit._source ? [hit._source] : [])));
      if (fresh.length > 0) {
        await send(fresh.map((log) => sseEvent('log', log, formatEventId(log))).join(''));
        lastWrite = Date.now();
      }
      tokens -= fresh.length;
      backlog = response.hits.hits.length === budget && tokens >= 1;
    } catch (error) {
      if (signal.aborted) return;
      await send(sseEvent('error', { message: `Elasticsearch: ${(error as Error).message}; retrying` }));
      lastWrite = Date.now();
      await pause(Math.max(options.pollMs, 2_000));
      continue;
    }
    if (Date.now() - lastWrite >= options.heartbeatMs) {
      await send(': keep-alive\n\n');
      lastWrite = Date.now();
    }
    if (!backlog) await pause(options.pollMs);
  }
}
