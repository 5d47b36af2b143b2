import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.ts';

export type { Logger };

/** One JSON logger per process, named by role; secrets never reach a log line. */
export function createLogger(config: Pick<Config, 'logLevel'>, role: string, destination?: DestinationStream): Logger {
  const options = {
    name: role,
    level: config.logLevel,
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
