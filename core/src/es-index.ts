import type { Client, estypes } from '@elastic/elasticsearch';
import type { Config } from './config.ts';

/** Every Elasticsearch name of one LogFlow installation, derived from ES_INDEX_PREFIX. */
export interface IndexNames {
  prefix: string;
  /** Searches go through this alias; every generation's daily indices join it via the template. */
  readAlias: string;
  template: string;
  /** Holds the write plan (es-generations.ts); deliberately outside the template's pattern. */
  generations: string;
}

export function indexNames(prefix: string): IndexNames {
  return { prefix, readAlias: prefix, template: prefix, generations: `${prefix}.generations` };
}

/**
 * Which generation logs are written to. Outside a reindex there is one; during a reindex logs
 * received from `cutoverAt` on go to the new `generation` and older ones to `previous`, so
 * every writer routes a log the same way whenever it learns of the plan.
 */
export interface WritePlan {
  generation: number;
  previous?: number;
  cutoverAt?: string;
}

export function generationFor(plan: WritePlan, receivedAt: string): number {
  if (plan.previous === undefined || plan.cutoverAt === undefined) return plan.generation;
  return Date.parse(receivedAt) < Date.parse(plan.cutoverAt) ? plan.previous : plan.generation;
}

/** Daily index by the UTC day the log was received, so a backfill of old logs is one index. */
export function dailyIndex(names: IndexNames, generation: number, receivedAt: string): string {
  const day = receivedAt.slice(0, 10).replaceAll('-', '.');
  return `${names.prefix}-${generation}-${day}`;
}

/** The generation and UTC day (`YYYY-MM-DD`) of one of the installation's daily indices. */
export function parseDailyIndex(names: IndexNames, index: string): { generation: number; day: string } | undefined {
  if (!index.startsWith(`${names.prefix}-`)) return undefined;
  const match = /^(\d+)-(\d{4})\.(\d{2})\.(\d{2})$/.exec(index.slice(names.prefix.length + 1));
  return match ? { generation: Number(match[1]), day: `${match[2]}-${match[3]}-${match[4]}` } : undefined;
}

/** The daily index a log is written to under a write plan. */
export function indexForLog(names: IndexNames, plan: WritePlan, receivedAt: string): string {
  return dailyIndex(names, generationFor(plan, receivedAt), receivedAt);
}

const keyword = { type: 'keyword', ignore_above: 1024 } as const;

export function indexTemplate(config: Config): estypes.IndicesPutIndexTemplateRequest {
  const names = indexNames(config.elasticsearch.indexPrefix);
  return {
    name: names.template,
    index_patterns: [`${names.prefix}-*`],
    priority: 100,
    template: {
      aliases: { [names.readAlias]: {} },
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

/**
 * The template of a generation being built by a reindex: the current mappings, and the read
 * alias filtered to logs received from the cutover on. Searches thus see the new generation's
 * live logs at once, but not its backfilled copies of logs the old generation still serves.
 * Its higher priority wins over the installation's template for this generation only.
 */
export function cutoverTemplate(config: Config, generation: number, cutoverAt: string): estypes.IndicesPutIndexTemplateRequest {
  const base = indexTemplate(config);
  const names = indexNames(config.elasticsearch.indexPrefix);
  return {
    ...base,
    name: `${names.template}-cutover-${generation}`,
    index_patterns: [`${names.prefix}-${generation}-*`],
    priority: 200,
    template: { ...base.template, aliases: { [names.readAlias]: { filter: { range: { receivedAt: { gte: cutoverAt } } } } } },
  };
}

/** Idempotent: putting the same template again is a no-op for Elasticsearch. */
export async function installIndexTemplate(client: Client, config: Config): Promise<void> {
  await client.indices.putIndexTemplate(indexTemplate(config));
}
