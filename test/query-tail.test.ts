import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoAt, QUERY_URL, queryString, startQueryPipeline, type QueryPipeline } from './query-pipeline.ts';
import { eventually } from './roles.ts';

interface TailEvent {
  id?: string;
  event: string;
  data: any;
  at: number;
}

/** A live `GET /api/logs/tail`, its events collected as they arrive. */
async function openTail(params: Record<string, string>, headers: Record<string, string> = {}) {
  const abort = new AbortController();
  const response = await fetch(`${QUERY_URL}/api/logs/tail?${queryString(params)}`, { headers, signal: abort.signal });
  const events: TailEvent[] = [];
  const reading = (async () => {
    if (!response.ok || !response.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const field = (name: string) =>
            block
              .split('\n')
              .find((l) => l.startsWith(`${name}: `))
              ?.slice(name.length + 2);
          const event = field('event');
          if (event) events.push({ id: field('id'), event, data: JSON.parse(field('data') ?? 'null'), at: Date.now() });
        }
      }
    } catch {
      // Aborted by close().
    }
  })();
  return {
    response,
    events,
    logs: () => events.filter((e) => e.event === 'log'),
    waitFor: (predicate: (events: TailEvent[]) => boolean, timeoutMs = 15_000) => eventually(async () => (predicate(events) ? true : undefined), timeoutMs, 20),
    async close() {
      abort.abort();
      await reading;
    },
  };
}

describe('live tail over server-sent events', () => {
  let pipeline: QueryPipeline;
  let resource: string;
  const log = (message: string, extra: Record<string, unknown> = {}) => ({
    level: 'info',
    message,
    resourceId: resource,
    timestamp: isoAt(pipeline.base),
    ...extra,
  });

  beforeAll(async () => {
    pipeline = await startQueryPipeline('query-tail', ['ingester', 'es-sink', 'query'], {
      QUERY_TAIL_MAX_CONNECTIONS: '2',
      QUERY_TAIL_MAX_EVENTS_PER_SECOND: '100',
    });
    resource = `${pipeline.run}-tail`;
    // The ES sink joins its consumer group a few seconds after it starts: wait until logs flow.
    const warmUp = await pipeline.ingest([log('warm-up')]);
    await pipeline.waitSearchable({ ids: { values: warmUp } }, 1);
  });

  afterAll(async () => {
    await pipeline?.close();
  });

  it('delivers a matching log ingested after it subscribed, within 2 s, and not the others', async () => {
    const tail = await openTail({ q: `resourceId:${resource} AND level:error` });
    try {
      expect(tail.response.status).toBe(200);
      expect(tail.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      await tail.waitFor((events) => events.some((e) => e.event === 'subscribed'));
      const [other] = await pipeline.ingest([log('not an error')]);
      const [id] = await pipeline.ingest([log('an error', { level: 'error' })]);
      const ingestedAt = Date.now();
      await tail.waitFor((events) => events.some((e) => e.data?.id === id));
      const delivered = tail.logs().find((e) => e.data.id === id)!;
      console.log(`tail latency after the ingester's 202: ${delivered.at - ingestedAt} ms`);
      expect(delivered.at - ingestedAt).toBeLessThan(2_000);
      expect(delivered.data).toMatchObject({ id, level: 'error', message: 'an error', resourceId: resource });
      expect(delivered.id).toBe(`${Date.parse(delivered.data.receivedAt)}_${id}`);
      // The non-matching log may become searchable after the error (another partition): once it is,
      // a matching log ingested after it marks a point the tail has passed; only then is its absence proof.
      await pipeline.waitSearchable({ ids: { values: [other!] } }, 1);
      const [marker] = await pipeline.ingest([log('a later error', { level: 'error' })]);
      await tail.waitFor((events) => events.some((e) => e.data?.id === marker));
      expect(
        tail
          .logs()
          .map((e) => e.data.id)
          .sort(),
      ).toEqual([id!, marker!].sort());
    } finally {
      await tail.close();
    }
  });

  it('resumes after Last-Event-ID with what was ingested while disconnected, nothing twice', async () => {
    const params = { q: `resourceId:${resource} AND message:resume*` };
    const first = await openTail(params);
    await first.waitFor((events) => events.some((e) => e.event === 'subscribed'));
    const [a] = await pipeline.ingest([log('resume a')]);
    await first.waitFor((events) => events.some((e) => e.data?.id === a));
    const lastEventId = first.logs().at(-1)!.id!;
    await first.close();

    const missed = await pipeline.ingest([log('resume b'), log('resume c')]);
    await pipeline.waitSearchable({ terms: { id: missed } }, 2);
    const second = await openTail(params, { 'last-event-id': lastEventId });
    try {
      await second.waitFor((events) => events.filter((e) => e.event === 'log').length >= 2);
      // A log ingested now comes after both in the tail's order: once it is delivered, a second copy of either would have been too.
      const [after] = await pipeline.ingest([log('resume d')]);
      await second.waitFor((events) => events.some((e) => e.data?.id === after));
      // Exactly the missed logs, once each (they were both searchable before it resumed, so in the tail's order).
      const resumed = second.logs().filter((e) => e.data.id !== after);
      expect(resumed.map((e) => e.data.id).sort()).toEqual([...missed].sort());
      const order = resumed.map((e) => `${Date.parse(e.data.receivedAt)}`.padStart(15, '0') + e.data.id);
      expect(order).toEqual([...order].sort());
    } finally {
      await second.close();
    }
  });

  it('is bounded per connection: at most the configured events per second, every one delivered once', async () => {
    const tail = await openTail({ q: `resourceId:${resource} AND message:burst*` });
    try {
      await tail.waitFor((events) => events.some((e) => e.event === 'subscribed'));
      const ids = await pipeline.ingest(Array.from({ length: 300 }, (_, i) => log(`burst ${i}`)));
      await tail.waitFor((events) => events.filter((e) => e.event === 'log').length >= 300, 30_000);
      const delivered = tail.logs();
      expect(delivered.map((e) => e.data.id).sort()).toEqual([...ids].sort());
      // Each once; no order asserted across the batch: its logs sit on three partitions, indexed by
      // separate bulks, and one that becomes searchable after newer ones is sent when it does.
      // 100 a second: 300 logs take at least two more seconds after the first hundred.
      expect(delivered.at(-1)!.at - delivered[0]!.at).toBeGreaterThanOrEqual(1_900);
    } finally {
      await tail.close();
    }
  });

  it('refuses more tails than the server allows, and a Last-Event-ID it did not send', async () => {
    const tails = [await openTail({ level: 'fatal' }), await openTail({ level: 'fatal' })];
    try {
      await Promise.all(tails.map((t) => t.waitFor((events) => events.some((e) => e.event === 'subscribed'))));
      const third = await fetch(`${QUERY_URL}/api/logs/tail`);
      expect(third.status).toBe(429);
      expect(((await third.json()) as { error: { code: string } }).error.code).toBe('too_many_tails');
    } finally {
      await Promise.all(tails.map((t) => t.close()));
    }
    const invalid = await eventually(async () => {
      const response = await fetch(`${QUERY_URL}/api/logs/tail`, { headers: { 'last-event-id': 'nope' } });
      return response.status === 429 ? undefined : response;
    });
    expect(invalid.status).toBe(400);
  });
});
