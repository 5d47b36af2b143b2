import { Client } from '@elastic/elasticsearch';
import type { Config } from './config.ts';

export type { Client as ElasticsearchClient };

export function createElasticsearch(config: Config): Client {
  return new Client({ node: config.elasticsearch.url, maxRetries: 3, requestTimeout: 30_000 });
}
