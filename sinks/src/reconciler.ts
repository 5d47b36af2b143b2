import { type Config, createElasticsearch, createKafka, createPool, ensureTopics, indexNames, installIndexTemplate, type Logger } from '@logflow/core';
import { startAdminWorker } from './jobs/admin-worker.ts';

/**
 * The reconciler role: the worker of the admin jobs (reconcile, replay, reindex, retention)
 * and their schedules.
 */
export async function startReconciler(config: Config, logger: Logger): Promise<() => Promise<void>> {
  const es = createElasticsearch(config);
  // Replays may create daily indices before any ES sink ran: they need the template's mappings and alias.
  await installIndexTemplate(es, config);
  const pool = createPool(config, logger, { name: 'logflow-reconciler', max: 6 });
  const kafka = createKafka(config, logger, 'logflow-reconciler');
  // The watermark reads the log topic's offsets, even before any sink created it.
  await ensureTopics(kafka, config);
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  const stopWorker = await startAdminWorker({ config, logger, es, pool, kafkaAdmin, names: indexNames(config.elasticsearch.indexPrefix) });
  return async () => {
    await stopWorker();
    await kafkaAdmin.disconnect();
    await pool.end();
    await es.close();
  };
}
