import type { DeadLetterEntry } from '@logflow/sinks/dlq-reader';
import { apiFetch } from './http.ts';
import { queryString } from './query-string.ts';

export type JobName = 'reconcile' | 'replay' | 'reindex' | 'retention';
export const JOB_NAMES: JobName[] = ['reconcile', 'replay', 'reindex', 'retention'];

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

export interface PipelineStatus {
  consumerLag: { group: string; partition: number; committed: number; end: number; lag: number }[];
  elasticsearch: { count: number; writeGeneration: number; cutoverAt: string | null };
  postgres: { count: number; exact: boolean };
  lastReconcile: Record<string, unknown> | null;
  dlq: { topic: string; messages: number };
  jobs: Record<string, number>;
}

/** A dead letter as the DLQ admin API lists it: the DLQ tools' entry and when it was replayed. */
export type DeadLetter = DeadLetterEntry & { replayedAt: string | null };

export const fetchPipeline = () => apiFetch<PipelineStatus>('/api/admin/pipeline');
export const fetchJobs = (limit = 30) => apiFetch<{ jobs: AdminJob[] }>(`/api/admin/jobs${queryString({ limit })}`);
export const startJob = (name: JobName, data: Record<string, unknown>) => apiFetch<AdminJob>(`/api/admin/jobs/${name}`, { method: 'POST', json: data });
export const fetchDeadLetters = (limit = 200) => apiFetch<{ topic: string; deadLetters: DeadLetter[] }>(`/api/admin/dlq${queryString({ limit })}`);
export const replayDeadLetter = (body: { partition: number; offset: string } | { all: true }) =>
  apiFetch<{ replayed: number; skipped: number }>('/api/admin/dlq/replay', { method: 'POST', json: body });
