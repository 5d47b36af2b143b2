import {
  ApiKeyStore,
  AuditLog,
  closeGracefully,
  type Config,
  consumerGroupId,
  createAdminQueue,
  createElasticsearch,
  createKafka,
  createPool,
  createRedis,
  createRequestRedis,
  indexNames,
  type Logger,
  tellHowToGetAnAdminKey,
} from '@logflow/core';
import { fileURLToPath } from 'node:url';
import { buildQueryApp } from './app.ts';
import { DEFAULT_FRESHNESS_OPTIONS, Freshness } from './freshness.ts';
import { readerConnectionString } from './sql/reader-login.ts';
import { ScopedSqlLogins } from './sql/scoped-logins.ts';
import { guardedStream } from './sql/message-size-guard.ts';
import { SqlConsole, sqlMessageLimit } from './sql/sql-console.ts';
import { DEFAULT_TAIL_OPTIONS } from './tail.ts';

const WEB_ROOT = fileURLToPath(new URL('../../web/dist', import.meta.url));

export async function startQuery(config: Config, logger: Logger): Promise<() => Promise<void>> {
  // Interactive searches retry once (a second or two of backoff) and then answer 503 with
  // Retry-After, rather than holding the user through the pipeline clients' three retries.
  const elasticsearch = createElasticsearch(config, { maxRetries: 1 });
  const names = indexNames(config.elasticsearch.indexPrefix);
  const kafka = createKafka(config, logger, 'logflow-query');
  const pool = createPool(config, logger, { name: 'logflow-query', max: 4 });
  // Its own small pool: a slow count gives up (statement_timeout) instead of queueing searches behind it.
  const countPool = createPool(config, logger, {
    name: 'logflow-query-freshness',
    max: DEFAULT_FRESHNESS_OPTIONS.maxConcurrentCounts,
    statementTimeoutMs: DEFAULT_FRESHNESS_OPTIONS.pgTimeoutMs,
  });
  const readerPassword = config.postgres.readerPassword;
  const readerPool =
    readerPassword === undefined
      ? undefined
      : createPool(config, logger, {
          name: 'logflow-sql-console',
          connectionString: readerConnectionString(config.postgres.url, readerPassword),
          stream: guardedStream(sqlMessageLimit(config.query.sql)),
          // Two keys at their per-key cap leave room for the others' statements.
          max: 2 * config.query.perKey.maxSql + 2,
          connectionTimeoutMs: 5_000,
        });
  if (!readerPool) logger.warn('LOGFLOW_READER_PASSWORD is not set: the SQL console serves only keys limited to resources (their own logins)');
  const freshness = new Freshness({
    kafka,
    pool: countPool,
    elasticsearch,
    readAlias: names.readAlias,
    topic: config.kafka.topic,
    groupId: consumerGroupId(config, config.sinks.es.groupId),
    logger,
  });

  const redis = createRedis(config, logger);
  const queue = createAdminQueue(config, redis);
  // Connected on the first pipeline request: searches must not wait for (or fail with) Kafka.
  const kafkaAdmin = kafka.admin();
  const admin = { config, names, es: elasticsearch, pool, kafkaAdmin, queue, redis };

  const keys = new ApiKeyStore(pool, { cacheMs: config.auth.keyCacheMs });
  const limitsRedis = createRequestRedis(config, logger);
  const scopedLogins = new ScopedSqlLogins(config, logger, config.query.perKey.maxSql, sqlMessageLimit(config.query.sql));
  if (config.auth.enabled) await tellHowToGetAnAdminKey(keys, logger);
  const app = await buildQueryApp({
    logger,
    auth: {
      enabled: config.auth.enabled,
      openToNetwork: config.auth.openToNetwork,
      store: keys,
      redis: limitsRedis,
      redisPrefix: config.adminJobs.bullPrefix,
      rateLimitPerMinute: config.auth.rateLimitPerMinute,
      failures: config.auth.failures,
      audit: new AuditLog(pool),
    },
    elasticsearch,
    names,
    webRoot: WEB_ROOT,
    dlq: { kafka, pool, dlqTopic: config.kafka.dlqTopic },
    admin,
    savedSearches: { pool },
    services: {
      freshness,
      sqlConsole: new SqlConsole(readerPool, config.query.sql),
      scopedLogins,
      tail: { ...DEFAULT_TAIL_OPTIONS, ...config.query.tail },
      perKey: config.query.perKey,
      maxPatternClauses: config.query.maxPatternClauses,
    },
  });
  await app.listen({ host: config.query.host, port: config.query.port });
  return async () => {
    await closeGracefully(app);
    await freshness.close();
    await queue.close();
    redis.disconnect();
    limitsRedis.disconnect();
    await kafkaAdmin.disconnect();
    await Promise.all([pool.end(), countPool.end(), readerPool?.end(), scopedLogins.close(), elasticsearch.close()]);
  };
}
