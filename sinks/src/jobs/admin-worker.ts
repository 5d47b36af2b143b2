import { isJobName, type JobName } from '@logflow/common';
import { ADMIN_QUEUE, createAdminQueue, createRedis, JOB_DATA_SCHEMAS } from '@logflow/core';
import { Worker, type Job, type Queue } from 'bullmq';
import type { JobContext, ReportProgress } from './job-context.ts';
import { runReconcile } from './reconcile-job.ts';
import { runReindex } from './reindex-job.ts';
import { runReplay } from './replay-job.ts';
import { runRetention } from './retention-job.ts';

type JobHandler = (ctx: JobContext, job: Job, progress: ReportProgress) => Promise<unknown>;

/** What each admin job runs, with its data checked by the same schema as the admin API's. */
const JOB_HANDLERS: Record<JobName, JobHandler> = {
  reconcile: (ctx, job, progress) => runReconcile(ctx, job.id!, JOB_DATA_SCHEMAS.reconcile.parse(job.data), progress),
  replay: (ctx, job, progress) => runReplay(ctx, JOB_DATA_SCHEMAS.replay.parse(job.data), progress),
  reindex: (ctx, job, progress) =>
    runReindex(ctx, progress, {
      generation: (job.data as { generation?: number }).generation,
      remember: (generation) => job.updateData({ ...job.data, generation }),
    }),
  retention: (ctx, job, progress) => runRetention(ctx, job.id!, JOB_DATA_SCHEMAS.retention.parse(job.data), progress),
};

async function runJob(ctx: JobContext, job: Job): Promise<unknown> {
  if (!isJobName(job.name)) throw new Error(`unknown admin job ${job.name}`);
  return JOB_HANDLERS[job.name](ctx, job, (progress) => job.updateProgress(progress));
}

/** The schedules: reconcile every RECONCILE_EVERY (5 min by default), retention every RETENTION_EVERY once RETENTION is set. */
async function applySchedules(ctx: JobContext, queue: Queue): Promise<void> {
  const { reconcileEveryMs, retentionMs, retentionEveryMs } = ctx.config.adminJobs;
  if (reconcileEveryMs) await queue.upsertJobScheduler('reconcile', { every: reconcileEveryMs }, { name: 'reconcile', data: {} });
  else await queue.removeJobScheduler('reconcile');
  if (retentionMs && retentionEveryMs) await queue.upsertJobScheduler('retention', { every: retentionEveryMs }, { name: 'retention', data: {} });
  else await queue.removeJobScheduler('retention');
}

/**
 * The worker of queue `logflow-admin`. One job at a time across every reconciler process
 * (global concurrency 1): a replay must not race a reindex's alias swap. A worker that dies
 * mid-job loses its lock; after ADMIN_JOB_LOCK_MS another worker runs the job again, and every
 * job is written to be run again.
 */
export async function startAdminWorker(ctx: JobContext): Promise<() => Promise<void>> {
  const connection = createRedis(ctx.config, ctx.logger);
  const workerConnection = createRedis(ctx.config, ctx.logger);
  const queue = createAdminQueue(ctx.config, connection);
  await queue.setGlobalConcurrency(1);
  await applySchedules(ctx, queue);
  const worker = new Worker(ADMIN_QUEUE, (job) => runJob(ctx, job), {
    connection: workerConnection,
    prefix: ctx.config.adminJobs.bullPrefix,
    concurrency: 1,
    lockDuration: ctx.config.adminJobs.lockMs,
    stalledInterval: ctx.config.adminJobs.lockMs,
    maxStalledCount: 2,
  });
  worker.on('active', (job) => ctx.logger.info({ jobId: job.id, name: job.name, data: job.data }, 'admin job started'));
  worker.on('completed', (job) => ctx.logger.info({ jobId: job.id, name: job.name }, 'admin job completed'));
  worker.on('failed', (job, err) => ctx.logger.error({ jobId: job?.id, name: job?.name, err }, 'admin job failed'));
  worker.on('error', (err) => ctx.logger.error({ err }, 'admin worker error'));
  await worker.waitUntilReady();
  return async () => {
    await worker.close();
    await queue.close();
    // BullMQ leaves connections it was given open.
    connection.disconnect();
    workerConnection.disconnect();
  };
}
