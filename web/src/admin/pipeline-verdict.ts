import type { JobName, PipelineStatus } from '@logflow/common';

/** Consumer lag (messages) beyond which a group is called behind. */
export const LAG_LIMIT = 10_000;
/** Logs in Postgres and not in Elasticsearch beyond which search is called incomplete. */
export const MISSING_LIMIT = 1_000;

export interface Verdict {
  healthy: boolean;
  /** Why not, one line each; empty when healthy. */
  reasons: string[];
}

/** One word for the whole pipeline, and the reasons behind an unhealthy one. */
export function pipelineVerdict(status: PipelineStatus): Verdict {
  const reasons: string[] = [];
  for (const part of status.unavailable) reasons.push(`${part} does not answer`);
  const lagByGroup = new Map<string, number>();
  for (const row of status.consumerLag) lagByGroup.set(row.group, (lagByGroup.get(row.group) ?? 0) + row.lag);
  for (const [group, lag] of lagByGroup) if (lag > LAG_LIMIT) reasons.push(`${group} is ${lag.toLocaleString('en')} messages behind`);
  const missing = status.postgres.count - status.elasticsearch.count;
  if (missing > MISSING_LIMIT) reasons.push(`${missing.toLocaleString('en')} logs of Postgres are not searchable (a reconcile repairs this)`);
  if (status.dlq.messages > 0) reasons.push(`${status.dlq.messages.toLocaleString('en')} dead ${status.dlq.messages === 1 ? 'letter waits' : 'letters wait'} for a replay`);
  return { healthy: reasons.length === 0, reasons };
}

/** What each admin job does, for people rather than queues. */
export const JOB_LABELS: Record<JobName, string> = {
  reconcile: 'Reconcile (repair search from Postgres)',
  replay: 'Replay (re-index a range from Postgres)',
  reindex: 'Reindex (new index generation)',
  retention: 'Retention (drop old data)',
};

export function jobLabel(name: string): string {
  return (JOB_LABELS as Record<string, string>)[name] ?? name;
}
