import { createAdminQueue } from '@logflow/core/admin-jobs';
import type { Config } from '@logflow/core/config';
import { closeGracefully } from '@logflow/core/http';
import { createElasticsearch } from '@logflow/core/elasticsearch';
import { indexNames } from '@logflow/core/es-index';
import { createKafka } from '@logflow/core/kafka';
import type { Logger } from '@logflow/core/logger';
import { createPool } from '@logflow/core/postgres';
import { createRedis } from '@logflow/core/redis';
import { fileURLToPath } from 'node:url';
import { buildQueryApp } from './app.ts';

const WEB_ROOT = fileURLToPath(new URL('../../web/dist', import.meta.url));

export async function startQuery(config: Config, logger: Logger): Promise<() => Promise<void>> {
  const elasticsearch = createElasticsearch(config);
  const redis = createRedis(config);
  const queue = createAdminQueue(config, redis);
  const pool = createPool(config, 'logflow-query', 4);
  // Connected on the first pipeline request: searches must not wait for (or fail with) Kafka.
  const kafkaAdmin = createKafka(config, logger, 'logflow-query').admin();
  const names = indexNames(config.elasticsearch.indexPrefix);
  const admin = { config, names, es: elasticsearch, pool, kafkaAdmin, queue };
  const app = await buildQueryApp({ logger, elasticsearch, webRoot: WEB_ROOT, admin });
  await app.listen({ host: config.query.host, port: config.query.port });
  return async () => {
    await closeGracefully(app);
    await queue.close();
    redis.disconnect();
    await kafkaAdmin.disconnect();
    await pool.end();
    await elasticsearch.close();
  };
}
