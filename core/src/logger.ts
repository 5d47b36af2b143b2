import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.ts';

export type { Logger };

/**
 * Errors as pino logs them, except that an Elasticsearch client error's `meta` (the whole
 * request and response: a failed bulk carries its megabytes of body, logged as a byte array
 * on every retry) shrinks to its status code.
 */
function serializeError(error: Error): Record<string, unknown> {
  const serialized = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  if (serialized.meta === undefined) return serialized;
  const { meta, ...rest } = serialized;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- meta is `{} | null` here: tsc needs the cast to read statusCode
  return { ...rest, statusCode: (meta as { statusCode?: number } | null)?.statusCode ?? null };
}

/** One JSON logger per process, named by role; secrets never reach a log line. */
export function createLogger(config: Pick<Config, 'logLevel'>, role: string, destination?: DestinationStream): Logger {
  const options = {
    name: role,
    level: config.logLevel,
    serializers: { err: serializeError },
    // Headers wherever a serializer puts them, API keys and passwords under any object.
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        '*.headers.authorization',
        'authorization',
        'key',
        '*.key',
        'apiKey',
        'password',
        '*.password',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
