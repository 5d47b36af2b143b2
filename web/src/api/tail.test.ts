import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LogRecord } from './logs.ts';
import { openTail, type TailStatus } from './tail.ts';

function sseResponse(text: string): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      // Split mid-event: the reader must join chunks.
      const bytes = new TextEncoder().encode(text);
      controller.enqueue(bytes.slice(0, 40));
      controller.enqueue(bytes.slice(40));
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
}

const log = (id: string) => ({ id, level: 'info', message: `m ${id}`, timestamp: '2023-09-15T08:00:00Z', receivedAt: '2023-09-15T08:00:00Z' });

describe('the live tail reader', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('delivers log events and reconnects after the end with Last-Event-ID', async () => {
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(sseResponse(`event: subscribed\ndata: {}\n\nevent: log\nid: 1_a\ndata: ${JSON.stringify(log('a'))}\n\n`))
      .mockResolvedValueOnce(sseResponse(`event: log\nid: 2_b\ndata: ${JSON.stringify(log('b'))}\n\n`))
      .mockImplementation(() => new Promise(() => undefined));
    vi.stubGlobal('fetch', fetch);
    vi.useFakeTimers();
    const logs: LogRecord[] = [];
    const statuses: TailStatus[] = [];
    const stop = openTail('/api/logs/tail?level=error', { onLog: (l) => logs.push(l), onStatus: (s) => statuses.push(s) });

    await vi.waitFor(() => expect(logs.map((l) => l.id)).toEqual(['a']));
    await vi.advanceTimersByTimeAsync(2_000);
    await vi.waitFor(() => expect(logs.map((l) => l.id)).toEqual(['a', 'b']));
    expect(fetch.mock.calls[1][1].headers['last-event-id']).toBe('1_a');
    expect(statuses).toContain('live');
    stop();
    vi.useRealTimers();
  });

  it('stops for good on a refused request', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(new Response(JSON.stringify({ error: { code: 'invalid_query', message: 'q: bad' } }), { status: 400 })));
    const statuses: [TailStatus, string | undefined][] = [];
    openTail('/api/logs/tail', { onLog: () => undefined, onStatus: (s, d) => statuses.push([s, d]) });
    await vi.waitFor(() => expect(statuses.at(-1)).toEqual(['stopped', 'q: bad']));
  });
});
