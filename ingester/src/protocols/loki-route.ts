import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '@logflow/core';
import type { AcceptLogs } from '../accept-logs.ts';
import type { IngestMetrics } from '../ingest-metrics.ts';
import { acceptMappedRequest } from './mapped-request.ts';
import { decodeLokiProtobuf, mapLokiPush, uncompressedLength } from './loki.ts';

export interface LokiPushOptions {
  acceptLogs: AcceptLogs;
  metrics: IngestMetrics;
  /** The most a body may hold once inflated (INGEST_BODY_LIMIT_BYTES). */
  bodyLimitBytes: number;
  /** Told each body's size once it is read (metrics, and the ingester's body budget). */
  onBodyBytes: (request: object, bytes: number) => void;
}

const pushSchema = z.object({
  streams: z.array(z.unknown(), { error: 'expected an array of streams' }),
});

/**
 * `POST /loki/api/v1/push`, Loki's push API as Promtail, Grafana Alloy and the Loki logging
 * libraries speak it: snappy-compressed protobuf or JSON (gzip or not). 204 once Kafka holds
 * every entry; entries that cannot be stored are refused with a 400 naming them, after the
 * others were taken, as Loki answers (its clients retry 429 and 5xx only, so a refused entry is
 * not sent again and an accepted one not twice).
 */
export const lokiPushRoute: FastifyPluginAsyncZod<LokiPushOptions> = async (app, { acceptLogs, metrics, bodyLimitBytes, onBodyBytes }) => {
  app.addContentTypeParser('application/x-protobuf', { parseAs: 'buffer' }, (request, body, done) => {
    try {
      // Counted inflated, as a gzip body is: that is what the request holds while it is worked on.
      onBodyBytes(request, uncompressedLength(body as Buffer));
      done(null, decodeLokiProtobuf(body as Buffer, bodyLimitBytes));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  app.post('/loki/api/v1/push', { schema: { body: pushSchema, response: { 204: z.null().describe('every entry was accepted') } } }, async (request, reply) => {
    const { accepted, refused, named } = await acceptMappedRequest(mapLokiPush(request.body), acceptLogs, metrics);
    if (refused > 0) throw new AppError(400, 'invalid_logs', `${refused} entr${refused === 1 ? 'y' : 'ies'} refused, ${accepted} accepted: ${named}`, { refused, accepted });
    return reply.status(204).send(null);
  });
};
