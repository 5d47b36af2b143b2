import type { Config } from '@logflow/core/config';
import { closeGracefully } from '@logflow/core/http';
import { createElasticsearch } from '@logflow/core/elasticsearch';
import { createKafka } from '@logflow/core/kafka';
import type { Logger } from '@logflow/core/logger';
import { createPool } from '@logflow/core/postgres';
import { fileURLToPath } from 'node:url';
import { buildQueryApp } from './app.ts';

const WEB_ROOT = fileURLToPath(new URL('../../web/dist', import.meta.url));

export async function startQuery(config: Config, logger: Logger): Promise<() => Promise<void>> {
  const elasticsearch = createElasticsearch(config);
  const pool = createPool(config, 'logflow-query', 4);
  const dlq = { kafka: createKafka(config, logger, 'logflow-query'), pool, dlqTopic: config.kafka.dlqTopic };
  const app = await buildQueryApp({ logger, elasticsearch, webRoot: WEB_ROOT, dlq });
  await app.listen({ host: config.query.host, port: config.query.port });
  return async () => {
    await closeGracefully(app);
    await elasticsearch.close();
    await pool.end();
  };
}
