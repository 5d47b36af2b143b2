import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '@logflow/core';
import type { AcceptLogs } from '../accept-logs.ts';
import type { IngestMetrics } from '../ingest-metrics.ts';
import { MappedLog } from '../validate-items.ts';
import { decodeLokiProtobuf, mapLokiPush, uncompressedLength } from './loki.ts';

export interface LokiPushOptions {
  acceptLogs: AcceptLogs;
  metrics: IngestMetrics;
  /** The most a body may hold once inflated (INGEST_BODY_LIMIT_BYTES). */
  bodyLimitBytes: number;
  /** Told each body's size once it is read (metrics, and the ingester's body budget). */
  onBodyBytes: (request: object, bytes: number) => void;
}

/** Refusals named in the 400's message; the count covers them all. */
const NAMED_REFUSALS = 5;

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
    const mapped = mapLokiPush(request.body);
    for (const error of mapped.errors) metrics.rejected.inc({ reason: error.rule });
    const { errors, records } = await acceptLogs(mapped.logs.map((log) => new MappedLog(log)));
    const refusals = [
      ...mapped.errors.map((e) => ({ location: e.location, message: e.message })),
      ...errors.map((e) => ({ location: mapped.locations[e.index]!, message: `${e.field}: ${e.message}` })),
    ];
    if (refusals.length > 0) {
      const refused = new Set(refusals.map((r) => r.location)).size;
      const named = refusals
        .slice(0, NAMED_REFUSALS)
        .map((r) => `${r.location}: ${r.message}`)
        .join('; ');
      throw new AppError(400, 'invalid_logs', `${refused} entr${refused === 1 ? 'y' : 'ies'} refused, ${records.length} accepted: ${named}${refusals.length > NAMED_REFUSALS ? '; …' : ''}`, {
        refused,
        accepted: records.length,
      });
    }
    return reply.status(204).send(null);
  });
};
