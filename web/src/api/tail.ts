import { createParser } from 'eventsource-parser';
import { authHeaders } from '../auth/session.ts';
import { errorOf } from './http.ts';
import type { LogRecord } from './logs.ts';

export type TailStatus = 'connecting' | 'live' | 'retrying' | 'stopped';

export interface TailHandlers {
  onLog(log: LogRecord): void;
  onStatus(status: TailStatus, detail?: string): void;
}

const RETRY_MS = 2_000;

/**
 * Follows `GET /api/logs/tail` with fetch rather than EventSource, which cannot send the
 * Authorization header. Reconnects after an end or a network failure with Last-Event-ID, so
 * nothing is missed or repeated. Returns the function that stops it.
 */
export function openTail(url: string, handlers: TailHandlers): () => void {
  const controller = new AbortController();
  let lastEventId: string | undefined;

  const connect = async () => {
    handlers.onStatus('connecting');
    const response = await fetch(url, {
      headers: { ...authHeaders(), accept: 'text/event-stream', ...(lastEventId && { 'last-event-id': lastEventId }) },
      signal: controller.signal,
    });
    if (!response.ok || !response.body) throw await errorOf(response);
    const parser = createParser({
      onEvent(event) {
        if (event.event === 'subscribed') handlers.onStatus('live');
        if (event.event !== 'log') return;
        if (event.id) lastEventId = event.id;
        handlers.onLog(JSON.parse(event.data) as LogRecord);
      },
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      parser.feed(value);
    }
  };

  void (async () => {
    while (!controller.signal.aborted) {
      try {
        await connect();
      } catch (error) {
        if (controller.signal.aborted) break;
        const status = (error as { status?: number }).status;
        if (status === 400 || status === 401 || status === 403) {
          handlers.onStatus('stopped', (error as Error).message);
          return;
        }
        handlers.onStatus('retrying', (error as Error).message);
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
    handlers.onStatus('stopped');
  })();

  return () => controller.abort();
}
