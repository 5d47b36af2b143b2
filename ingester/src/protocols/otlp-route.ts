import type { FastifyError, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '@logflow/core';
import type { AcceptLogs } from '../accept-logs.ts';
import { addBufferParser } from '../body-parsers.ts';
import type { IngestMetrics } from '../ingest-metrics.ts';
import { acceptMappedRequest } from './mapped-request.ts';
import { decodeOtlpProtobuf, exportResponse, grpcCode, mapOtlpLogs, OTLP_CONTENT_TYPES, statusBody, type OtlpEncoding } from './otlp.ts';

export interface OtlpLogsOptions {
  acceptLogs: AcceptLogs;
  metrics: IngestMetrics;
  /** Told each body's size once it is read (metrics, and the ingester's body budget). */
  onBodyBytes: (request: object, bytes: number) => void;
}

const encodingOf = (request: FastifyRequest): OtlpEncoding => ((request.headers['content-type'] ?? '').toLowerCase().startsWith(OTLP_CONTENT_TYPES.protobuf) ? 'protobuf' : 'json');

/** Fastify sends a Buffer as it is; a Uint8Array would be serialized as JSON. */
const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

const requestSchema = z.looseObject({
  resourceLogs: z.array(z.looseObject({}), { error: 'expected an array of ResourceLogs' }).optional(),
});
const responseSchema = z.object({
  partialSuccess: z.object({ rejectedLogRecords: z.string(), errorMessage: z.string() }).optional(),
});

/**
 * `POST /v1/logs`, OTLP/HTTP logs (protobuf or JSON, gzip or not), answered as the OTLP spec
 * says: 200 with an ExportLogsServiceResponse whose partialSuccess counts and names refused
 * records; errors as a google.rpc.Status in the request's encoding; 429/503 with Retry-After when
 * Kafka cannot take the logs. Each log goes through the same acceptance path as `POST /logs`.
 */
export const otlpLogsRoute: FastifyPluginAsyncZod<OtlpLogsOptions> = async (app, { acceptLogs, metrics, onBodyBytes }) => {
  addBufferParser(app, OTLP_CONTENT_TYPES.protobuf, decodeOtlpProtobuf, onBodyBytes);

  // Every failure of this route, authentication and body limits included, as a google.rpc.Status.
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    const encoding = encodingOf(request);
    let status: number;
    let message: string;
    if (hasZodFastifySchemaValidationErrors(error)) {
      status = 400;
      message = error.validation.map((v) => `body${v.instancePath.replaceAll('/', '.')}: ${v.message}`).join('; ');
      request.log.warn({ details: error.validation }, 'invalid OTLP request');
    } else if (error instanceof AppError) {
      status = error.status;
      message = error.message;
      reply.headers(error.headers);
      request.log.warn({ code: error.code, status }, message);
    } else if ((error.statusCode ?? 500) < 500) {
      status = error.statusCode!;
      message = error.message;
      request.log.warn({ code: error.code }, message);
    } else {
      status = 500;
      message = 'internal error';
      request.log.error({ err: error }, 'unhandled error');
    }
    const body = statusBody(grpcCode(status), `${message} (request ${request.id})`, encoding);
    return reply
      .status(status)
      .header('content-type', OTLP_CONTENT_TYPES[encoding])
      .send(body instanceof Uint8Array ? asBuffer(body) : body);
  });

  app.post('/v1/logs', { schema: { body: requestSchema, response: { 200: responseSchema } } }, async (request, reply) => {
    const encoding = encodingOf(request);
    const { refused, named } = await acceptMappedRequest(mapOtlpLogs(request.body, Date.now()), acceptLogs, metrics);
    const body = exportResponse(refused, `${refused} log record(s) refused: ${named}`, encoding);
    reply.status(200).header('content-type', OTLP_CONTENT_TYPES[encoding]);
    // The schema describes the JSON answer; fastify sends a Buffer as it is, unserialized.
    return body instanceof Uint8Array ? reply.send(asBuffer(body) as never) : body;
  });
};
