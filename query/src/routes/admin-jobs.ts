import { JOB_NAMES, type JobName, pipelineStatusSchema } from '@logflow/common';
import { AppError, type HttpServer, JOB_DATA_SCHEMAS } from '@logflow/core';
import type { Job, JobType } from 'bullmq';
import { z } from 'zod';
import { pipelineStatus, type PipelineDeps } from '../pipeline-status.ts';

export type AdminJobsDeps = PipelineDeps;

const STATES = ['active', 'waiting', 'delayed', 'prioritized', 'completed', 'failed'] as const satisfies JobType[];

const jobSchema = z.object({
  id: z.string(),
  name: z.string(),
  state: z.string(),
  data: z.unknown(),
  progress: z.unknown(),
  result: z.unknown(),
  failedReason: z.string().nullable(),
  attempts: z.number().int(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
type JobSummary = z.infer<typeof jobSchema>;

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : null);

function summarize(job: Job, state: string): JobSummary {
  return {
    id: job.id!,
    name: job.name,
    state,
    data: job.data,
    progress: job.progress,
    result: job.returnvalue ?? null,
    failedReason: job.failedReason || null,
    attempts: job.attemptsStarted ?? job.attemptsMade,
    createdAt: new Date(job.timestamp).toISOString(),
    startedAt: iso(job.processedOn),
    finishedAt: iso(job.finishedOn),
  };
}

const listQuerySchema = z.object({
  name: z.enum(JOB_NAMES).optional(),
  state: z.enum(STATES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/**
 * The admin API: queue a job (`POST /api/admin/jobs/{reconcile|replay|reindex|retention}`), follow
 * jobs and their progress (`GET /api/admin/jobs`, `GET /api/admin/jobs/:id`), and the state of the
 * pipeline (`GET /api/admin/pipeline`).
 */
export function registerAdminJobRoutes(app: HttpServer, deps: AdminJobsDeps): void {
  const { queue, config } = deps;

  for (const name of JOB_NAMES) {
    const body = (JOB_DATA_SCHEMAS[name] as z.ZodType).optional().default({});
    app.post(`/api/admin/jobs/${name}`, { schema: { body, response: { 202: jobSchema } } }, async (request, reply) => {
      if (name === 'retention' && !config.adminJobs.retentionMs && !(request.body as { before?: string }).before) {
        throw new AppError(400, 'retention_off', 'RETENTION is not set: give `before` to drop older logs once');
      }
      if (name === 'reindex') {
        const pending = await queue.getJobs(['active', 'waiting', 'delayed', 'prioritized']);
        const running = pending.find((job) => job.name === 'reindex');
        if (running) throw new AppError(409, 'reindex_pending', `reindex job ${running.id} is already queued or running`);
      }
      const job = await queue.add(name satisfies JobName, request.body);
      return reply.status(202).send(summarize(job, await job.getState()));
    });
  }

  const listSchema = { querystring: listQuerySchema, response: { 200: z.object({ jobs: z.array(jobSchema) }) } };
  app.get('/api/admin/jobs', { schema: listSchema }, async (request) => {
    const { name, state, limit } = request.query;
    const summaries: JobSummary[] = [];
    for (const type of state ? [state] : STATES) {
      for (const job of await queue.getJobs([type], 0, name ? -1 : limit - 1)) {
        if (job && (!name || job.name === name)) summaries.push(summarize(job, type));
      }
    }
    summaries.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return { jobs: summaries.slice(0, limit) };
  });

  app.get('/api/admin/jobs/:id', { schema: { params: z.object({ id: z.string().min(1).max(200) }), response: { 200: jobSchema } } }, async (request) => {
    const job = await queue.getJob(request.params.id);
    if (!job) throw new AppError(404, 'job_not_found', `no admin job ${request.params.id}`);
    const state = await job.getState();
    // A job that finished between the two reads reports its state without its result: read it again.
    const finished = (state === 'completed' || state === 'failed') && !job.finishedOn ? await queue.getJob(request.params.id) : job;
    return summarize(finished ?? job, state);
  });

  app.get('/api/admin/pipeline', { schema: { response: { 200: pipelineStatusSchema } } }, async () => pipelineStatus(deps));
}
