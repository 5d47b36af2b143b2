import type { Client } from '@elastic/elasticsearch';
import { AppError, type HttpServer } from '@logflow/core';
import { once } from 'node:events';
import { z } from 'zod';
import { elasticsearchCall } from '../es-errors.ts';
import { filterQuery, logFilterFields, resourceScope } from '../log-filters.ts';
import type { PerKeySlots } from '../per-key-slots.ts';
import { aliasTarget } from '../search-request.ts';
import { parseEventId, runTail, sseEvent, TailCursor, type TailOptions } from '../tail.ts';

const tailParams = z.object({
  ...logFilterFields,
  lastEventId: z.string().max(100).optional().describe('resume after this event id (for clients that cannot send the Last-Event-ID header)'),
});

export interface TailRouteOptions extends TailOptions {
  /** Tails one process serves at once; more answer 429. */
  maxConnections: number;
}

export function registerTailRoute(app: HttpServer, deps: { elasticsearch: Client; readAlias: string; options: TailRouteOptions; slots: PerKeySlots; maxPatternClauses?: number }): void {
  const running = new Map<AbortController, Promise<void>>();

  // A tail never ends by itself: stop them all before the server waits for its connections.
  app.addHook('preClose', async () => {
    for (const controller of running.keys()) controller.abort();
    await Promise.allSettled(running.values());
  });

  app.get(
    '/api/logs/tail',
    {
      schema: {
        tags: ['search'],
        summary: 'Server-sent events: logs matching the query as they arrive; resumable with Last-Event-ID',
        description:
          'Events: `subscribed` (data: {since}), `log` (data: the log; id: resume position), `error` (Elasticsearch failed; the tail retries), `end` (the server closes; reconnect with Last-Event-ID).',
        querystring: tailParams,
        headers: z.object({ 'last-event-id': z.string().max(100).optional() }).loose(),
      },
    },
    async (request, reply) => {
      const resumeText = request.headers['last-event-id'] ?? request.query.lastEventId;
      const resume = resumeText === undefined ? undefined : parseEventId(resumeText);
      if (resumeText !== undefined && !resume) {
        const message = 'expected an event id this API sent: <receivedAt ms>_<log id>';
        throw new AppError(400, 'invalid_request', `Last-Event-ID: ${message}`, [{ field: 'headers.last-event-id', rule: 'invalid', message }]);
      }
      if (running.size >= deps.options.maxConnections) {
        throw new AppError(429, 'too_many_tails', `this server already streams ${running.size} tails; try again later`, undefined, { 'retry-after': '10' });
      }
      const now = Date.now();
      const query = filterQuery(request.query, {}, now, resourceScope(request), deps.maxPatternClauses);
      const release = deps.slots.acquire(request.apiKey?.id);
      // The server-wide slot is taken here, before the first await: counted only once the
      // stream started, requests arriving meanwhile would all pass the check above.
      const controller = new AbortController();
      running.set(controller, Promise.resolve());
      try {
        // Fail before the stream starts: Elasticsearch down answers 503, a query it refuses 400.
        await elasticsearchCall(() => deps.elasticsearch.search({ ...aliasTarget(deps.readAlias), size: 0, track_total_hits: false, query }));
      } catch (error) {
        running.delete(controller);
        release();
        throw error;
      }

      const start = resume ?? { receivedAt: now };
      const res = reply.raw;
      reply.hijack();
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': request.id,
      });
      res.on('close', () => controller.abort());
      const send = async (text: string) => {
        if (res.destroyed || res.write(text)) return;
        await once(res, 'drain', { signal: controller.signal }).catch(() => undefined);
      };
      await send(`retry: 2000\n${sseEvent('subscribed', { since: new Date(start.receivedAt).toISOString() })}`);
      const run = runTail({
        es: deps.elasticsearch,
        query,
        cursor: new TailCursor(deps.readAlias, start, deps.options.latenessMs),
        options: deps.options,
        send,
        signal: controller.signal,
        keyStillActive: request.apiKeyStillActive,
      })
        .catch((err: unknown) => request.log.error({ err }, 'tail failed'))
        .finally(() => {
          running.delete(controller);
          release();
          if (!res.destroyed) res.end(controller.signal.aborted ? sseEvent('end', { reason: 'the server is stopping; reconnect with Last-Event-ID' }) : undefined);
        });
      running.set(controller, run);
      return reply;
    },
  );
}
