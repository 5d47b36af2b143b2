import type { Client } from '@elastic/elasticsearch';
import { type Config, indexForLog, type IndexNames, type JobProgress, type Logger, type Pool, type WritePlan } from '@logflow/core';
import type { Admin } from 'kafkajs';
import type { ExpectedIndex } from './leaf-diff.ts';

/** What every admin job works with. */
export interface JobContext {
  config: Config;
  logger: Logger;
  es: Client;
  pool: Pool;
  kafkaAdmin: Admin;
  names: IndexNames;
}

export type ReportProgress = (progress: JobProgress) => Promise<void>;

/** Where a log received at `ms` belongs under a write plan. */
export function expectedIndexFor(names: IndexNames, plan: WritePlan): ExpectedIndex {
  return (ms) => indexForLog(names, plan, new Date(ms).toISOString());
}
