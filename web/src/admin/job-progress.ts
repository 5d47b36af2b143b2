import type { AdminJob } from '../api/admin.ts';

/** The percent a job reports (BullMQ allows a bare number or an object), 100 once done. */
export function jobPercent(job: AdminJob): number {
  if (job.state === 'completed') return 100;
  const progress = job.progress;
  const percent = typeof progress === 'number' ? progress : progress?.percent;
  return typeof percent === 'number' && Number.isFinite(percent) ? Math.min(100, Math.max(0, Math.round(percent))) : 0;
}

/** The counts a job reports beside percent and phase, for its progress line. */
export function progressCounts(job: AdminJob): string {
  const progress = job.progress;
  if (!progress || typeof progress !== 'object') return '';
  return Object.entries(progress)
    .filter(([key, value]) => key !== 'percent' && key !== 'phase' && typeof value === 'number')
    .map(([key, value]) => `${key} ${(value as number).toLocaleString('en')}`)
    .join(' · ');
}

export const isRunning = (job: AdminJob) => ['active', 'waiting', 'delayed', 'prioritized'].includes(job.state);
