import type { DeadLetterEntry, JobName, PipelineStatus } from '@logflow/common';
import { apiFetch } from './http.ts';
import { queryString } from './query-string.ts';

export { JOB_NAMES, type JobName } from '@logflow/common';

export interface AdminJob {
  id: string;
  name: JobName;
  state: string;
  data: Record<string, unknown>;
  progress: { percent?: number; phase?: string; [count: string]: unknown } | number | null;
  result: Record<string, unknown> | null;
  failedReason: string | null;
  attempts: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** A dead letter as the DLQ admin API lists it: the DLQ tools' entry and when it was replayed. */
export type DeadLetter = DeadLetterEntry & { replayedAt: string | null };

export type { PipelineStatus };

export const fetchPipeline = () => apiFetch<PipelineStatus>('/api/admin/pipeline');
export const fetchJobs = (limit = 30) => apiFetch<{ jobs: AdminJob[] }>(`/api/admin/jobs${queryString({ limit })}`);
export const startJob = (name: JobName, data: Record<string, unknown>) => apiFetch<AdminJob>(`/api/admin/jobs/${name}`, { method: 'POST', json: data });
export const fetchDeadLetters = (limit = 200) => apiFetch<{ topic: string; deadLetters: DeadLetter[] }>(`/api/admin/dlq${queryString({ limit })}`);
export const replayDeadLetter = (body: { partition: number; offset: string } | { all: true }) =>
  apiFetch<{ replayed: number; skipped: number }>('/api/admin/dlq/replay', { method: 'POST', json: body });
