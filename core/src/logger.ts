import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
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

export type LogFormat = Config['logFormat'];

/** auto means pretty for a person at a terminal and JSON for anything that reads the output. */
export function resolveLogFormat(format: LogFormat | undefined, isTerminal = process.stdout.isTTY === true): 'pretty' | 'json' {
  if (format === 'pretty' || format === 'json') return format;
  return format === 'auto' && isTerminal ? 'pretty' : 'json';
}

/** One line per event, coloured; an error's stack follows it, indented. Synchronous like pino's own destination. */
function prettyStream(destination?: DestinationStream): DestinationStream {
  return pretty({
    colorize: true,
    singleLine: true,
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    ...(destination ? { destination } : {}),
  });
}

/**
 * One logger per process, named by role; secrets never reach a log line. JSON lines unless the
 * format resolves to pretty (see resolveLogFormat). Standard output unless a destination is given.
 */
export function createLogger(config: Pick<Config, 'logLevel'> & Partial<Pick<Config, 'logFormat'>>, role: string, destination?: DestinationStream): Logger {
  const options = {
    name: role,
    level: config.logLevel,
    serializers: { err: serializeError },
    // Headers wherever a serializer puts them, API keys and passwords under any object.
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', '*.headers.authorization', 'authorization', 'key', '*.key', 'apiKey', 'password', '*.password'],
      censor: '[redacted]',
    },
  };
  if (resolveLogFormat(config.logFormat) === 'pretty') return pino(options, prettyStream(destination));
  return destination ? pino(options, destination) : pino(options);
}
