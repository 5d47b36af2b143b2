import { describe, expect, it } from 'vitest';
import type { AdminJob } from '../api/admin.ts';
import { isRunning, jobPercent, progressCounts } from './job-progress.ts';

const job = (state: string, progress: AdminJob['progress']): AdminJob => ({
  id: '1',
  name: 'reconcile',
  state,
  data: {},
  progress,
  result: null,
  failedReason: null,
  attempts: 1,
  createdAt: '',
  startedAt: null,
  finishedAt: null,
});

describe('job progress', () => {
  it('reads the percent from either shape BullMQ allows', () => {
    expect(jobPercent(job('active', 42.4))).toBe(42);
    expect(jobPercent(job('active', { percent: 120, phase: 'diff' }))).toBe(100);
    expect(jobPercent(job('waiting', null))).toBe(0);
    expect(jobPercent(job('completed', { percent: 80 }))).toBe(100);
  });

  it('lists the counts, not the phase', () => {
    expect(progressCounts(job('active', { percent: 5, phase: 'count', rangesChecked: 1200, replayed: 3 }))).toBe('rangesChecked 1,200 · replayed 3');
    expect(isRunning(job('active', 0))).toBe(true);
    expect(isRunning(job('failed', 0))).toBe(false);
  });
});
