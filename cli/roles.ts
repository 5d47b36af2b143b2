import { type Config, createElasticsearch, followWritePlan, indexNames, type Logger } from '@logflow/core';
import { startIngester } from '@logflow/ingester';
import { startQuery } from '@logflow/query';
import { startEsSink, startPgSink, startReconciler } from '@logflow/sinks';

export type Stop = () => Promise<void>;

/** The ES sink names each document's index from the write plan, so it first loads the plan and then follows it (reindex). */
async function startEsSinkFollowingPlan(config: Config, logger: Logger): Promise<Stop> {
  const es = createElasticsearch(config);
  const names = indexNames(config.elasticsearch.indexPrefix);
  const writePlan = await followWritePlan(es, names, config.elasticsearch.generationRefreshMs, logger);
  const stopSink = await startEsSink(config, logger, { names, writePlan });
  return async () => {
    await stopSink();
    writePlan.stop();
    await es.close();
  };
}

export const ROLES: Record<string, { describe: string; start: (config: Config, logger: Logger) => Promise<Stop> }> = {
  ingester: { describe: `HTTP ingestion on INGESTER_PORT (3000) into Kafka`, start: startIngester },
  'es-sink': { describe: 'consumer group logflow-es-sink: Kafka to Elasticsearch', start: startEsSinkFollowingPlan },
  'pg-sink': { describe: 'consumer group logflow-pg-sink: Kafka to Postgres, exactly once', start: startPgSink },
  reconciler: { describe: 'admin job worker: reconcile, replay, reindex, retention and their schedules', start: startReconciler },
  query: { describe: 'search API and dashboard on QUERY_PORT (5000)', start: startQuery },
};
