import type { Config } from '@logflow/core/config';
import { createKafka, ensureTopics } from '@logflow/core/kafka';
import type { Logger } from '@logflow/core/logger';
import { buildIngesterApp } from './app.ts';
import { LogProducer } from './log-producer.ts';

/** Runs the ingester until stopped; the returned function shuts it down gracefully. */
export async function startIngester(config: Config, logger: Logger): Promise<() => Promise<void>> {
  const kafka = createKafka(config, logger, 'logflow-ingester');
  await ensureTopics(kafka, config);
  const producer = new LogProducer(kafka, config.kafka.topic);
  await producer.connect();
  const app = buildIngesterApp({ logger, producer });
  await app.listen({ host: config.ingester.host, port: config.ingester.port });
  return async () => {
    await app.close();
    await producer.disconnect();
  };
}
