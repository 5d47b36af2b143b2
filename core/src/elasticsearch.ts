import { Client } from '@elastic/elasticsearch';
import type { Config } from './config.ts';

export type { Client as ElasticsearchClient };

/**
 * The one way to make an Elasticsearch client. Pipeline writers retry a failed request three
 * times; the query service asks for fewer (`maxRetries: 1`) so a user is answered 503 soon.
 */
export function createElasticsearch(config: Config, { maxRetries = 3 }: { maxRetries?: number } = {}): Client {
  return new Client({ node: config.elasticsearch.url, maxRetries, requestTimeout: 30_000 });
}
