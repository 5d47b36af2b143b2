import { awaitWatermark, type PositionSample, readWritePlan, type ReconcileCounts, type ReconcileData, type ReconcileResult } from '@logflow/core';
import { expectedIndexFor, type JobContext, type ReportProgress } from './job-context.ts';
import { oldestReceipt } from './pg-logs.ts';
import { emptyCounts, reconcileRange } from './reconcile.ts';
import { retentionCutoff } from './retention-job.ts';

/** How long a run gives the sinks to pass the topic's end as it was when the run started. */
const SINK_WAIT_MS = 10_000;
const EARLIER_SAMPLES = 50;

async function earlierSamples(ctx: JobContext): Promise<PositionSample[]> {
  const result = await ctx.pool.query<{ positions: PositionSample }>(`SELECT positions FROM reconcile_runs WHERE positions ? 'observedAt' ORDER BY id DESC LIMIT $1`, [EARLIER_SAMPLES]);
  return result.rows.map((row) => row.positions);
}

const isoOrNull = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/**
 * One reconcile run: stored in `reconcile_runs` from its start (with the topic positions it
 * sampled), compared only below the watermark, and finished with what it found and repaired.
 */
export async function runReconcile(ctx: JobContext, jobId: string, data: ReconcileData, progress: ReportProgress): Promise<ReconcileResult> {
  const started = Date.now();
  // A run of this job that was killed midway: this attempt runs it again.
  await ctx.pool.query(`UPDATE reconcile_runs SET status = 'interrupted', finished_at = now() WHERE job_id = $1 AND status = 'running'`, [jobId]);
  await progress({ percent: 0, phase: 'watermark' });
  const { sample, watermark } = await awaitWatermark(ctx.kafkaAdmin, ctx.pool, ctx.config, await earlierSamples(ctx), SINK_WAIT_MS);
  const keptFrom = await retentionCutoff(ctx.pool);
  const filter = { resourceIds: data.resourceIds, keptFrom };
  const from = Math.max(data.from ? Date.parse(data.from) : ((await oldestReceipt(ctx.pool, filter)) ?? Infinity), keptFrom ?? -Infinity);
  const to = Math.min(data.to ? Date.parse(data.to) : Infinity, watermark ?? -Infinity);
  const range = Number.isFinite(from) && Number.isFinite(to) && from < to ? { from, to } : undefined;

  const run = await ctx.pool.query<{ id: string }>(
    `INSERT INTO reconcile_runs (job_id, status, range_from, range_to, watermark, scope, positions)
     VALUES ($1, 'running', $2, $3, $4, $5, $6) RETURNING id`,
    [jobId, isoOrNull(range?.from), isoOrNull(range?.to), isoOrNull(watermark), JSON.stringify(data), JSON.stringify(sample)],
  );
  const runId = Number(run.rows[0]!.id);
  ctx.logger.info({ runId, jobId, range, watermark: isoOrNull(watermark) }, 'reconcile started');
  try {
    let counts: ReconcileCounts = emptyCounts();
    if (range) {
      const plan = await readWritePlan(ctx.es, ctx.names);
      counts = await reconcileRange(
        ctx.es,
        ctx.pool,
        { range, filter, removeExtra: data.removeExtra, target: ctx.names.readAlias, expectedIndex: expectedIndexFor(ctx.names, plan) },
        ({ percent, ...c }) => progress({ percent, phase: 'compare', ...c }),
      );
    }
    const result: ReconcileResult = {
      runId,
      from: isoOrNull(range?.from),
      to: isoOrNull(range?.to),
      watermark: isoOrNull(watermark),
      ...counts,
      durationMs: Date.now() - started,
    };
    await ctx.pool.query(
      `UPDATE reconcile_runs SET status = 'completed', finished_at = now(), ranges_checked = $2, leaves_diffed = $3,
         logs_checked = $4, missing_found = $5, replayed = $6, replay_refused = $7, outdated_replaced = $8,
         extra_found = $9, extra_removed = $10, twins_removed = $11, duration_ms = $12
       WHERE id = $1`,
      [
        runId,
        counts.rangesChecked,
        counts.leavesDiffed,
        counts.logsChecked,
        counts.missingFound,
        counts.replayed,
        counts.replayRefused,
        counts.outdatedReplaced,
        counts.extraFound,
        counts.extraRemoved,
        counts.twinsRemoved,
        result.durationMs,
      ],
    );
    await progress({ percent: 100, phase: 'done', ...counts });
    ctx.logger.info(result, 'reconcile finished');
    return result;
  } catch (error) {
    await ctx.pool.query(`UPDATE reconcile_runs SET status = 'failed', finished_at = now(), error = $2 WHERE id = $1`, [runId, String(error)]);
    throw error;
  }
}
