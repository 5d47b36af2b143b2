import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();

const DURATION_UNITS_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION_HINT = 'expected a duration like 90s, 15m, 24h or 30d';

/** `90s`, `15m`, `24h`, `30d` → milliseconds, or undefined when it is not one. */
function parseDuration(s: string): number | undefined {
  const match = /^(\d+)([smhd])$/.exec(s.trim());
  return match ? Number(match[1]) * DURATION_UNITS_MS[match[2] as keyof typeof DURATION_UNITS_MS] : undefined;
}

/** A duration; empty means "off". */
const optionalDuration = z
  .string()
  .default('')
  .transform((s, ctx) => {
    if (s.trim() === '') return undefined;
    const ms = parseDuration(s);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: DURATION_HINT });
      return z.NEVER;
    }
    return ms;
  });

/** A duration with a default. */
const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s, ctx) => {
      const ms = parseDuration(s);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: DURATION_HINT });
        return z.NEVER;
      }
      return ms;
    });

/** How often a job runs: a positive duration with a default, or `off`. */
const schedule = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s, ctx) => {
      if (s.trim() === 'off') return undefined;
      const ms = parseDuration(s);
      if (!ms) {
        ctx.addIssue({ code: 'custom', message: `${DURATION_HINT}, or off` });
        return z.NEVER;
      }
      return ms;
    });
const hostPort = /^[^\s:,]+:\d{1,5}$/;
const sqlIdentifier = /^[a-z_][a-z0-9_]{0,62}$/;

/** Every setting LogFlow reads, by environment variable. Defaults match `npm run stack -- up`. */
const envSchema = z.object({
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /** auto: one coloured line per event on a terminal, JSON lines otherwise (files, collectors). */
  LOG_FORMAT: z.enum(['auto', 'pretty', 'json']).default('auto'),
  /** Unset: every interface with keys on, loopback only with keys off. */
  LISTEN_HOST: z.string().min(1).optional(),
  INGESTER_PORT: port.default(3000),
  QUERY_PORT: port.default(5000),
  ES_SINK_PORT: port.default(3101),
  PG_SINK_PORT: port.default(3102),
  ES_SINK_GROUP_ID: z.string().min(1).default('logflow-es-sink'),
  PG_SINK_GROUP_ID: z.string().min(1).default('logflow-pg-sink'),
  SINK_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6_000).max(300_000).default(30_000),
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((s) =>
      s
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(hostPort, 'expected host:port')).min(1, 'at least one broker')),
  INGEST_BODY_LIMIT_BYTES: positiveInt.default(10 * 1024 * 1024),
  INGEST_MAX_BATCH_ITEMS: positiveInt.default(10_000),
  INGEST_ACK_TIMEOUT_MS: positiveInt.default(10_000),
  INGEST_QUEUE_MAX_BYTES: positiveInt.default(64 * 1024 * 1024),
  // Request bodies being handled at once (read, parsed, waiting for Kafka): about 8× this on the heap, under the ingester's heap cap.
  INGEST_IN_PROGRESS_MAX_BYTES: positiveInt.default(8 * 1024 * 1024),
  INGEST_MAX_IN_FLIGHT: positiveInt.default(4),
  INGEST_MAX_PAST: optionalDuration,
  INGEST_MAX_FUTURE: optionalDuration,
  KAFKA_TOPIC: z.string().min(1).default('logflow.logs'),
  KAFKA_DLQ_TOPIC: z.string().min(1).default('logflow.logs.dlq'),
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).default(6),
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).default(1),
  KAFKA_GROUP_PREFIX: z
    .string()
    .regex(/^[\w.-]*$/, 'letters, digits, ".", "_" and "-" only')
    .default(''),
  ELASTICSEARCH_URL: z.url().default('http://127.0.0.1:9200'),
  ELASTICSEARCH_REPLICAS: z.coerce.number().int().min(0).default(0),
  ES_INDEX_PREFIX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, "_" and "-", not starting with "_" or "-"')
    .default('logflow-logs'),
  ES_GENERATION_REFRESH_MS: positiveInt.default(5_000),
  DATABASE_URL: z
    .url()
    .default('postgres://logflow:logflow@127.0.0.1:5432/logflow')
    .refine((u) => /^postgres(ql)?:/.test(u), 'expected a postgres:// URL'),
  /** No default: without it the reader login stays locked (NOLOGIN). Empty counts as unset. */
  LOGFLOW_READER_PASSWORD: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(8, 'at least 8 characters').optional()),
  QUERY_SQL_TIMEOUT_MS: positiveInt.default(10_000),
  QUERY_SQL_MAX_ROWS: positiveInt.max(100_000).default(1_000),
  QUERY_SQL_MAX_VALUE_BYTES: positiveInt.max(64 * 1024 * 1024).default(64 * 1024),
  QUERY_SQL_MAX_RESPONSE_BYTES: positiveInt.max(256 * 1024 * 1024).default(8 * 1024 * 1024),
  QUERY_MAX_PATTERN_CLAUSES: positiveInt.max(1_000).default(16),
  QUERY_TAIL_MAX_CONNECTIONS: positiveInt.default(50),
  QUERY_TAIL_MAX_EVENTS_PER_SECOND: positiveInt.default(500),
  QUERY_TAIL_POLL_MS: positiveInt.default(300),
  QUERY_TAIL_MAX_DURATION_MS: positiveInt.default(3_600_000),
  DATABASE_SCHEMA: z.string().regex(sqlIdentifier, 'expected a lower-case SQL identifier').default('public'),
  REDIS_URL: z
    .url()
    .default('redis://127.0.0.1:6379')
    .refine((u) => /^rediss?:/.test(u), 'expected a redis:// URL'),
  BULLMQ_PREFIX: z
    .string()
    .regex(/^[\w.-]+$/, 'letters, digits, ".", "_" and "-" only')
    .default('bull'),
  ADMIN_JOB_LOCK_MS: z.coerce.number().int().min(1_000).default(30_000),
  RECONCILE_EVERY: schedule('5m'),
  RECONCILE_SETTLE: duration('30s'),
  RETENTION: optionalDuration,
  RETENTION_EVERY: schedule('1h'),
  LOGFLOW_AUTH: z.enum(['on', 'off']).default('on'),
  LOGFLOW_AUTH_OFF_ALLOW_REMOTE: z.enum(['true', 'false']).default('false'),
  AUTH_KEY_CACHE_MS: z.coerce.number().int().min(0).max(1_000).default(500),
  AUTH_RATE_LIMIT_PER_MINUTE: positiveInt.default(6_000),
  AUTH_MAX_FAILURES_PER_ADDRESS: positiveInt.default(20),
  AUTH_FAILURE_WINDOW: duration('5m'),
  QUERY_MAX_TAILS_PER_KEY: positiveInt.default(5),
  QUERY_MAX_EXPORTS_PER_KEY: positiveInt.default(2),
  QUERY_MAX_SQL_PER_KEY: positiveInt.max(50).default(4),
});

/** Addresses only this machine reaches. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Keys off means loopback only: an API without keys on a network address would let anyone who
 * reaches it mint an admin key that works on keys-on installations sharing the database.
 */
const checkedEnvSchema = envSchema.superRefine((env, ctx) => {
  if (env.LOGFLOW_AUTH === 'off' && env.LISTEN_HOST !== undefined && !isLoopbackHost(env.LISTEN_HOST) && env.LOGFLOW_AUTH_OFF_ALLOW_REMOTE !== 'true') {
    ctx.addIssue({
      code: 'custom',
      path: ['LISTEN_HOST'],
      message:
        'with LOGFLOW_AUTH=off every API is open: bind a loopback address (127.0.0.1, ::1, localhost), turn keys on, or set LOGFLOW_AUTH_OFF_ALLOW_REMOTE=true to open it to the network on purpose',
    });
  }
});

export type Config = ReturnType<typeof toConfig>;

function toConfig(env: z.infer<typeof envSchema>) {
  const listenHost = env.LISTEN_HOST ?? (env.LOGFLOW_AUTH === 'off' ? '127.0.0.1' : '0.0.0.0');
  return {
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT,
    ingester: {
      host: listenHost,
      port: env.INGESTER_PORT,
      bodyLimitBytes: env.INGEST_BODY_LIMIT_BYTES,
      maxBatchItems: env.INGEST_MAX_BATCH_ITEMS,
      ackTimeoutMs: env.INGEST_ACK_TIMEOUT_MS,
      queueMaxBytes: env.INGEST_QUEUE_MAX_BYTES,
      inProgressMaxBytes: env.INGEST_IN_PROGRESS_MAX_BYTES,
      maxInFlight: env.INGEST_MAX_IN_FLIGHT,
      timestampWindow: { maxPastMs: env.INGEST_MAX_PAST, maxFutureMs: env.INGEST_MAX_FUTURE },
    },
    auth: {
      enabled: env.LOGFLOW_AUTH === 'on',
      /** Keys off yet reachable from the network (LOGFLOW_AUTH_OFF_ALLOW_REMOTE=true): warned about at every start. */
      openToNetwork: env.LOGFLOW_AUTH === 'off' && !isLoopbackHost(listenHost),
      /** A revoked key is refused by every process within this long (its lookups are cached no longer). */
      keyCacheMs: env.AUTH_KEY_CACHE_MS,
      rateLimitPerMinute: env.AUTH_RATE_LIMIT_PER_MINUTE,
      /** Failed authentications per client address in a window; beyond, 429 until the window ends. */
      failures: { max: env.AUTH_MAX_FAILURES_PER_ADDRESS, windowMs: env.AUTH_FAILURE_WINDOW },
    },
    query: {
      host: listenHost,
      port: env.QUERY_PORT,
      sql: {
        timeoutMs: env.QUERY_SQL_TIMEOUT_MS,
        maxRows: env.QUERY_SQL_MAX_ROWS,
        maxValueBytes: env.QUERY_SQL_MAX_VALUE_BYTES,
        maxResponseBytes: env.QUERY_SQL_MAX_RESPONSE_BYTES,
      },
      /** Regular expression and wildcard clauses one search may hold: each costs Elasticsearch an automaton in memory. */
      maxPatternClauses: env.QUERY_MAX_PATTERN_CLAUSES,
      tail: {
        maxConnections: env.QUERY_TAIL_MAX_CONNECTIONS,
        maxEventsPerSecond: env.QUERY_TAIL_MAX_EVENTS_PER_SECOND,
        pollMs: env.QUERY_TAIL_POLL_MS,
        maxDurationMs: env.QUERY_TAIL_MAX_DURATION_MS,
      },
      perKey: { maxTails: env.QUERY_MAX_TAILS_PER_KEY, maxExports: env.QUERY_MAX_EXPORTS_PER_KEY, maxSql: env.QUERY_MAX_SQL_PER_KEY },
    },
    sinks: {
      sessionTimeoutMs: env.SINK_SESSION_TIMEOUT_MS,
      es: { host: listenHost, port: env.ES_SINK_PORT, groupId: env.ES_SINK_GROUP_ID },
      pg: { host: listenHost, port: env.PG_SINK_PORT, groupId: env.PG_SINK_GROUP_ID },
    },
    kafka: {
      brokers: env.KAFKA_BROKERS,
      topic: env.KAFKA_TOPIC,
      dlqTopic: env.KAFKA_DLQ_TOPIC,
      partitions: env.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: env.KAFKA_REPLICATION_FACTOR,
      groupPrefix: env.KAFKA_GROUP_PREFIX,
    },
    elasticsearch: {
      url: env.ELASTICSEARCH_URL,
      replicas: env.ELASTICSEARCH_REPLICAS,
      indexPrefix: env.ES_INDEX_PREFIX,
      generationRefreshMs: env.ES_GENERATION_REFRESH_MS,
    },
    postgres: { url: env.DATABASE_URL, schema: env.DATABASE_SCHEMA, readerPassword: env.LOGFLOW_READER_PASSWORD },
    redis: { url: env.REDIS_URL },
    adminJobs: {
      bullPrefix: env.BULLMQ_PREFIX,
      lockMs: env.ADMIN_JOB_LOCK_MS,
      reconcileEveryMs: env.RECONCILE_EVERY,
      /** How long after its receipt a log is surely in Kafka: the ingester's ack timeout and clock skew. */
      settleMs: env.RECONCILE_SETTLE,
      retentionMs: env.RETENTION,
      retentionEveryMs: env.RETENTION_EVERY,
    },
  } as const;
}

/**
 * Settings whose value may hold a secret (a password, or a URL with credentials): a rejected
 * value is never echoed, since the error goes to a terminal or a log.
 */
const SECRET_SETTINGS: ReadonlySet<string> = new Set(['DATABASE_URL', 'REDIS_URL', 'ELASTICSEARCH_URL', 'LOGFLOW_READER_PASSWORD']);

/** What an error about `name` may say of its value. */
function describeValue(name: string, value: string | undefined): string {
  if (value === undefined) return '';
  return SECRET_SETTINGS.has(name) ? ' (its value is not shown: it may hold a secret)' : ` (got ${JSON.stringify(value)})`;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment once; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = checkedEnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '?');
      return `  ${name}: ${issue.message}${describeValue(name, env[name])}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return toConfig(parsed.data);
}
