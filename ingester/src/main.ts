import {
  ApiKeyStore,
  BatchedLedgerCount,
  closeGracefully,
  type Config,
  countKafkaRequests,
  createKafka,
  createMetricsRegistry,
  createPool,
  createRequestRedis,
  ensureTopics,
  ledgerKey,
  type Logger,
  uuidKeyPartitioner,
} from '@logflow/core';
import { buildIngesterApp } from './app.ts';
import { BatchingProducer } from './batching-producer.ts';
import { createIngestMetrics } from './ingest-metrics.ts';

/**
 * Runs the ingester. It listens at once and reaches Kafka in the background, so an ingester
 * started before Kafka answers 503 (not connection refused) until Kafka is there.
 */
export async function startIngester(config: Config, logger: Logger): Promise<() => Promise<void>> {
  const settings = config.ingester;
  const kafka = createKafka(config, logger, 'logflow-ingester');
  const registry = createMetricsRegistry('ingester');
  let producer: BatchingProducer | undefined;
  const metrics = createIngestMetrics(registry, () => producer?.queueDepth ?? { requests: 0, bytes: 0 });
  const kafkaProducer = kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: uuidKeyPartitioner,
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2_000 },
  });
  countKafkaRequests(registry, 'producer', kafkaProducer);
  producer = new BatchingProducer(
    kafkaProducer,
    { topic: config.kafka.topic, ackTimeoutMs: settings.ackTimeoutMs, queueMaxBytes: settings.queueMaxBytes, maxInFlight: settings.maxInFlight },
    logger,
    metrics,
  );
  const connecting = producer.connect(() => ensureTopics(kafka, config));
  // Two connections suffice: key lookups are cached (AUTH_KEY_CACHE_MS).
  const pool = createPool(config, logger, { name: 'logflow-ingester', max: 2 });
  const limitsRedis = createRequestRedis(config, logger);
  const accepted = new BatchedLedgerCount(limitsRedis, ledgerKey(config), 'accepted', (err) => logger.warn({ err }, 'could not count acknowledged logs in the ledger'));
  const app = await buildIngesterApp({
    logger,
    producer,
    metrics,
    registry,
    bodyLimitBytes: settings.bodyLimitBytes,
    inProgressMaxBytes: settings.inProgressMaxBytes,
    maxBatchItems: settings.maxBatchItems,
    timestampWindow: settings.timestampWindow,
    // Counted in memory and written in the background: a Redis outage must not hold up ingestion.
    onAccepted: (count) => accepted.add(count),
    auth: {
      enabled: config.auth.enabled,
      openToNetwork: config.auth.openToNetwork,
      store: new ApiKeyStore(pool, { cacheMs: config.auth.keyCacheMs }),
      redis: limitsRedis,
      redisPrefix: config.adminJobs.bullPrefix,
      rateLimitPerMinute: config.auth.rateLimitPerMinute,
      failures: config.auth.failures,
    },
  });
  await app.listen({ host: settings.host, port: settings.port });
  return async () => {
    // Stop accepting and answer the requests in flight, then flush and leave Kafka.
    await closeGracefully(app);
    await producer.close();
    await connecting;
    await accepted.close();
    limitsRedis.disconnect();
    await pool.end();
  };
}
