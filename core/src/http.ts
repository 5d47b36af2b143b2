import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import { AppError } from './errors.ts';
import type { Logger } from './logger.ts';

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
  requestId: string;
}

/** Query parameters whose value may be a credential, by name. */
const SECRET_PARAM = /key|token|secret|passw|auth|sig|cred/i;

/**
 * The URL as the request log writes it: a credential sent in the query string (`?api_key=…`,
 * refused, since keys travel in the Authorization header only) must not land in the log, so
 * the value of any parameter named like one, or holding something shaped like a LogFlow key, is
 * replaced.
 */
export function redactUrl(url: string): string {
  const at = url.indexOf('?');
  if (at === -1) return url;
  const params = new URLSearchParams(url.slice(at + 1));
  let redacted = false;
  for (const [name, value] of params) {
    if (SECRET_PARAM.test(name) || value.includes('lf_')) {
      params.set(name, '[redacted]');
      redacted = true;
    }
  }
  return redacted ? `${url.slice(0, at)}?${params.toString()}` : url;
}

/** Servers that are shutting down: their responses close the connection instead of keeping it alive. */
const draining = new WeakSet<object>();

export interface HttpServerOptions {
  logger: Logger;
  bodyLimit?: number;
  /** Level of the one line per request; a high-volume ingest endpoint logs it at debug. */
  requestLogLevel?: 'info' | 'debug';
  /** Answers a request no route matched (a dashboard's page path, say); undefined: the 404 in the one error shape. */
  notFound?: (request: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined;
}

/**
 * A fastify server with zod schemas on routes, a request id of its own on every log line (a
 * caller's `x-request-id` is logged beside it) and one error shape for every failure.
 */
export function createHttpServer({ logger, bodyLimit, requestLogLevel = 'info', notFound }: HttpServerOptions) {
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit,
    // The server's own id always: a client's x-request-id could collide with or impersonate another
    // request's in the logs and the audit log. The client's is logged beside it.
    requestIdHeader: false,
    genReqId: () => randomUUID(),
    // One line per request (below, with status and duration) instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (draining.has(app)) reply.header('connection', 'close');
    else if (!request.raw.complete) readRestOfBody(request, reply);
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log[requestLogLevel](
      {
        method: request.method,
        url: redactUrl(request.url),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
        ...(typeof request.headers['x-request-id'] === 'string' && { clientRequestId: request.headers['x-request-id'].slice(0, 200) }),
      },
      'request',
    );
  });

  const body = (request: FastifyRequest, code: string, message: string, details?: unknown): ErrorBody => ({
    error: { code, message, ...(details === undefined ? {} : { details }) },
    requestId: request.id,
  });
  app.setNotFoundHandler((request, reply) => notFound?.(request, reply) ?? reply.status(404).send(body(request, 'not_found', `no route ${request.method} ${request.url.split('?')[0]}`)));

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const details = error.validation.map((v) => ({
        field: `${error.validationContext ?? 'body'}${v.instancePath === '/' ? '' : v.instancePath.replaceAll('/', '.')}`,
        rule: v.keyword,
        message: v.message,
      }));
      request.log.warn({ details }, 'invalid request');
      return reply.status(400).send(body(request, 'invalid_request', details.map((d) => `${d.field}: ${d.message}`).join('; '), details));
    }
    // An AppError is a failure the code expected, a dependency's outage (503) included: warn. Error is for bugs.
    if (error instanceof AppError) {
      request.log.warn({ code: error.code, status: error.status, details: error.details }, error.message);
      return reply
        .status(error.status)
        .headers(error.headers)
        .send(body(request, error.code, error.message, error.details));
    }
    const status = error.statusCode ?? 500;
    if (status < 500) {
      request.log.warn({ code: error.code }, error.message);
      return reply.status(status).send(body(request, error.code ?? 'bad_request', error.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send(body(request, 'internal', 'internal error'));
  });

  return app;
}

export type HttpServer = ReturnType<typeof createHttpServer>;

/** How long an answered request's unread body is read and dropped before its connection is cut. */
const UNREAD_BODY_MS = 10_000;

/**
 * A request answered before its body arrived (413 from Content-Length, a body that broke its
 * parser): fastify asks for the connection to be closed, and closing it while the client still
 * sends makes the kernel reset it, so the client often loses the answer and sees EPIPE or
 * ECONNRESET (seen in 2 of 40 11 MiB posts here), which shippers retry as a network error. The
 * rest of the body is read and dropped instead (nothing is kept), and the connection stays
 * usable; a client that is still sending after UNREAD_BODY_MS is cut off.
 */
function readRestOfBody(request: FastifyRequest, reply: FastifyReply): void {
  reply.removeHeader('connection');
  const { raw } = request;
  // A decompressing stream may hold the body: it is not inflated any further.
  raw.unpipe();
  raw.resume();
  const timer = setTimeout(() => raw.socket?.destroy(), UNREAD_BODY_MS);
  timer.unref();
  raw.once('end', () => clearTimeout(timer));
  raw.once('close', () => clearTimeout(timer));
}

/**
 * Stops accepting, answers the requests in flight, then closes. Keep-alive connections would
 * otherwise hold `close()` open: idle ones are closed as they appear, busy ones after their answer.
 */
export async function closeGracefully(app: HttpServer): Promise<void> {
  draining.add(app);
  const sweeper = setInterval(() => app.server.closeIdleConnections(), 50);
  try {
    await app.close();
  } finally {
    clearInterval(sweeper);
  }
}
export type { FastifyInstance };
