import { z } from 'zod';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const KNOWN_FIELDS = new Set(['id', 'level', 'message', 'resourceId', 'timestamp', 'traceId', 'spanId', 'commit', 'metadata']);
const identifier = z.string().min(1).max(512);

/**
 * One log as a client sends it (the seed's `example_log.json`). Unknown top-level fields are
 * kept under `metadata` rather than dropped; a clash with an existing metadata key is refused.
 */
export const logEventSchema = z
  .object({
    id: z.uuid().optional(),
    level: z.string().transform((s) => s.toLowerCase()).pipe(z.enum(LOG_LEVELS)),
    message: z.string().min(1).max(65_536),
    timestamp: z.iso.datetime({ offset: true }),
    resourceId: identifier.optional(),
    traceId: identifier.optional(),
    spanId: identifier.optional(),
    commit: identifier.optional(),
    metadata: z.record(z.string(), z.json()).optional(),
  })
  .catchall(z.json())
  .transform((event, ctx) => {
    const metadata: Record<string, unknown> = { ...event.metadata };
    const known: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(event)) {
      if (KNOWN_FIELDS.has(key)) {
        known[key] = value;
      } else if (key in metadata) {
        ctx.addIssue({ code: 'custom', path: [key], message: `unknown field also present as metadata.${key}` });
      } else {
        metadata[key] = value;
      }
    }
    return { ...(known as unknown as LogEventCore), metadata };
  });

interface LogEventCore {
  id?: string;
  level: LogLevel;
  message: string;
  timestamp: string;
  resourceId?: string;
  traceId?: string;
  spanId?: string;
  commit?: string;
}

export type LogEvent = z.output<typeof logEventSchema>;

/** What travels on Kafka and is stored in both sinks. */
export interface LogRecord extends Omit<LogEvent, 'id'> {
  id: string;
  receivedAt: string;
}

/** Timestamps are stored as UTC with millisecond precision, the resolution both stores share. */
export function toLogRecord(event: LogEvent, id: string, receivedAt: Date): LogRecord {
  return { ...event, id, timestamp: new Date(event.timestamp).toISOString(), receivedAt: receivedAt.toISOString() };
}
