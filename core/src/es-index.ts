import type { Client, estypes } from '@elastic/elasticsearch';
import type { Config } from './config.ts';

/** Searches go through this alias; every generation's daily indices join it via the template. */
export const READ_ALIAS = 'logflow-logs';
export const TEMPLATE_NAME = 'logflow-logs';
/** The generation new documents are written to; a reindex (its own job) moves to the next one. */
export const CURRENT_GENERATION = 1;

/** Daily index by the UTC day the log was received, so a backfill of old logs is one index. */
export function dailyIndexName(receivedAt: string, generation = CURRENT_GENERATION): string {
  const day = receivedAt.slice(0, 10).replaceAll('-', '.');
  return `${READ_ALIAS}-${generation}-${day}`;
}

const keyword = { type: 'keyword', ignore_above: 1024 } as const;

export function indexTemplate(config: Config): estypes.IndicesPutIndexTemplateRequest {
  return {
    name: TEMPLATE_NAME,
    index_patterns: [`${READ_ALIAS}-*`],
    priority: 100,
    template: {
      aliases: { [READ_ALIAS]: {} },
      settings: {
        number_of_shards: 1,
        number_of_replicas: config.elasticsearch.replicas,
        refresh_interval: '1s',
      },
      mappings: {
        dynamic_templates: [
          // Free-form metadata strings are filtered on, not analysed: keyword like Kibana users expect.
          { metadata_strings: { path_match: 'metadata.*', match_mapping_type: 'string', mapping: keyword } },
        ],
        properties: {
          id: { type: 'keyword' },
          level: { type: 'keyword' },
          message: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 8191 } } },
          resourceId: keyword,
          traceId: keyword,
          spanId: keyword,
          commit: keyword,
          timestamp: { type: 'date' },
          receivedAt: { type: 'date' },
          metadata: { type: 'object', properties: { parentResourceId: keyword } },
        },
      },
    },
  };
}

/** Idempotent: putting the same template again is a no-op for Elasticsearch. */
export async function installIndexTemplate(client: Client, config: Config): Promise<void> {
  await client.indices.putIndexTemplate(indexTemplate(config));
}
