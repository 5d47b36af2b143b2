import type { Config } from '@logflow/core/config';
import { closeGracefully } from '@logflow/core/http';
import { createElasticsearch } from '@logflow/core/elasticsearch';
import type { Logger } from '@logflow/core/logger';
import { fileURLToPath } from 'node:url';
import { buildQueryApp } from './app.ts';

const WEB_ROOT = fileURLToPath(new URL('../../web/dist', import.meta.url));

export async function startQuery(config: Config, logger: Logger): Promise<() => Promise<void>> {
  const elasticsearch = createElasticsearch(config);
  const app = await buildQueryApp({ logger, elasticsearch, webRoot: WEB_ROOT });
  await app.listen({ host: config.query.host, port: config.query.port });
  return async () => {
    await closeGracefully(app);
    await elasticsearch.close();
  };
}
