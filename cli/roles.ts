import type { Config } from '@logflow/core/config';
import type { Logger } from '@logflow/core/logger';
import { startIngester } from '@logflow/ingester/main';
import { startQuery } from '@logflow/query/main';
import { startEsSink } from '@logflow/sinks/es-sink';
import { startPgSink } from '@logflow/sinks/pg-sink';
import { startReconciler } from '@logflow/sinks/reconciler';

export type Stop = () => Promise<void>;

export const ROLES: Record<string, { describe: string; start: (config: Config, logger: Logger) => Promise<Stop> }> = {
  ingester: { describe: `HTTP ingestion on INGESTER_PORT (3000) into Kafka`, start: startIngester },
  'es-sink': { describe: 'consumer group logflow-es-sink: Kafka to Elasticsearch', start: startEsSink },
  'pg-sink': { describe: 'consumer group logflow-pg-sink: Kafka to Postgres, exactly once', start: startPgSink },
  reconciler: { describe: 'admin job worker (for now it only connects to Redis and waits)', start: startReconciler },
  query: { describe: 'search API and dashboard on QUERY_PORT (5000)', start: startQuery },
};
