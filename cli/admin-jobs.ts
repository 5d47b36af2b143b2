import type { JobName } from '@logflow/common';
import { type Config, createAdminQueue, createLogger, createRedis, JOB_DATA_SCHEMAS, type JobProgress } from '@logflow/core';
import { QueueEvents } from 'bullmq';
import { parseArgs } from 'node:util';

export const ADMIN_JOB_HELP = `  reconcile   compare Postgres with Elasticsearch and repair it   [--from ISO] [--to ISO] [--resource-id ID]... [--remove-extra]
  replay      re-index a range from Postgres                     --from ISO --to ISO [--resource-id ID]... [--level LEVEL]...
  reindex     build a new index generation and swap the read alias
  retention   drop partitions and indices older than RETENTION   [--before ISO]
              (each queues the job for the reconciler role, prints its progress and its result)`;

const OPTIONS = {
  from: { type: 'string' },
  to: { type: 'string' },
  before: { type: 'string' },
  'resource-id': { type: 'string', multiple: true },
  level: { type: 'string', multiple: true },
  'remove-extra': { type: 'boolean' },
} as const;

/** The job's data from the command line, checked by the same schema as the admin API. */
function jobData(name: JobName, args: string[]): unknown {
  const { values } = parseArgs({ args, options: OPTIONS, strict: true });
  const data = {
    from: values.from,
    to: values.to,
    before: values.before,
    resourceIds: values['resource-id'],
    levels: values.level,
    removeExtra: values['remove-extra'],
  };
  const allowed: Record<JobName, (keyof typeof data)[]> = {
    reconcile: ['from', 'to', 'resourceIds', 'removeExtra'],
    replay: ['from', 'to', 'resourceIds', 'levels'],
    reindex: [],
    retention: ['before'],
  };
  const given = Object.fromEntries(allowed[name].filter((key) => data[key] !== undefined).map((key) => [key, data[key]]));
  return JOB_DATA_SCHEMAS[name].parse(given);
}

function describeProgress(progress: JobProgress): string {
  const { percent, phase, ...counts } = progress;
  const figures = Object.entries(counts)
    .filter(([, value]) => value !== 0)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  return `${percent.toFixed(1).padStart(5)}% ${phase} ${figures}`;
}

/** Queues one admin job and follows it to its end: progress lines on stderr, the result as JSON on stdout. */
export async function runAdminJobCommand(config: Config, name: JobName, args: string[]): Promise<number> {
  let data: unknown;
  try {
    data = jobData(name, args);
  } catch (error) {
    process.stderr.write(`logflow ${name}: ${(error as Error).message}\n`);
    return 2;
  }
  // stdout carries the job's result: connection warnings go to stderr.
  const logger = createLogger(config, name, process.stderr);
  const connection = createRedis(config, logger);
  const eventsConnection = createRedis(config, logger);
  const queue = createAdminQueue(config, connection);
  const events = new QueueEvents(queue.name, { connection: eventsConnection, prefix: config.adminJobs.bullPrefix });
  try {
    await events.waitUntilReady();
    const job = await queue.add(name, data);
    process.stderr.write(`queued ${name} job ${job.id}\n`);
    const hint = setTimeout(() => {
      job.getState().then(
        (state) => {
          if (state === 'waiting') process.stderr.write('still waiting: is a reconciler running (logflow reconciler)?\n');
        },
        // Only a hint: when Redis cannot say, the wait below reports the failure.
        () => undefined,
      );
    }, 10_000);
    events.on('progress', ({ jobId, data: progress }) => {
      if (jobId === job.id && typeof progress === 'object') process.stderr.write(`${describeProgress(progress as JobProgress)}\n`);
    });
    try {
      const result: unknown = await job.waitUntilFinished(events);
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return 0;
    } catch (error) {
      process.stderr.write(`logflow ${name}: job ${job.id} failed: ${(error as Error).message}\n`);
      return 1;
    } finally {
      clearTimeout(hint);
    }
  } finally {
    await events.close();
    await queue.close();
    // BullMQ leaves connections it was given open.
    connection.disconnect();
    eventsConnection.disconnect();
  }
}
