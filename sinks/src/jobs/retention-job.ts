import { parseDailyIndex, type Pool, type RetentionData, type RetentionResult } from '@logflow/core';
import type { JobContext, ReportProgress } from './job-context.ts';

const DAY_MS = 86_400_000;
const PARTITION = /^logs_p(\d{4})(\d{2})(\d{2})$/;

/**
 * The cutoff of the latest retention run, started or finished: the reconciler compares
 * nothing older, since one store may have dropped it and the other not yet.
 */
export async function retentionCutoff(pool: Pool): Promise<number | undefined> {
  const result = await pool.query<{ ms: string | null }>('SELECT (extract(epoch FROM max(cutoff)) * 1000)::bigint AS ms FROM retention_runs');
  const ms = result.rows[0]?.ms;
  return ms === null || ms === undefined ? undefined : Number(ms);
}

/** The daily partitions of `logs` in this schema whose whole day lies before the cutoff. */
async function partitionsBefore(pool: Pool, cutoffDay: string): Promise<string[]> {
  const result = await pool.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i
     JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
     JOIN pg_namespace n ON n.oid = p.relnamespace
     WHERE p.relname = 'logs' AND n.nspname = current_schema()`,
  );
  return result.rows
    .map((row) => row.name)
    .filter((name) => {
      const match = PARTITION.exec(name);
      return match !== null && `${match[1]}-${match[2]}-${match[3]}` < cutoffDay;
    })
    .sort();
}

/**
 * Drops what is older than the cutoff, rounded down to a UTC midnight: whole daily partitions
 * of Postgres (by timestamp), the default partition's rows before it, their ids, and whole daily indices
 * of Elasticsearch (by receivedAt, every generation).
 */
export async function runRetention(ctx: JobContext, jobId: string, data: RetentionData, progress: ReportProgress): Promise<RetentionResult> {
  const started = Date.now();
  const before = data.before ? Date.parse(data.before) : ctx.config.adminJobs.retentionMs && started - ctx.config.adminJobs.retentionMs;
  if (!before) throw new Error('RETENTION is not set: give `before` to drop older logs once');
  const cutoff = new Date(Math.floor(before / DAY_MS) * DAY_MS).toISOString();
  const cutoffDay = cutoff.slice(0, 10);
  const run = await ctx.pool.query<{ id: string }>(`INSERT INTO retention_runs (job_id, status, cutoff) VALUES ($1, 'running', $2) RETURNING id`, [jobId, cutoff]);
  const runId = Number(run.rows[0]!.id);
  try {
    await progress({ percent: 0, phase: 'postgres' });
    const droppedPartitions = await partitionsBefore(ctx.pool, cutoffDay);
    for (const name of droppedPartitions) await ctx.pool.query(`DROP TABLE IF EXISTS "${name}"`);
    const deleted = await ctx.pool.query('DELETE FROM logs_default WHERE "timestamp" < $1', [cutoff]);
    // The ids go with their logs: a log sent again with one of them after this is stored anew.
    await ctx.pool.query('DELETE FROM log_ids WHERE "timestamp" < $1', [cutoff]);
    await progress({ percent: 50, phase: 'elasticsearch', droppedPartitions: droppedPartitions.length });

    const indices = await ctx.es.cat.indices({ index: `${ctx.names.prefix}-*`, format: 'json', h: 'index' });
    const deletedIndices = indices
      .map((row) => row.index!)
      .filter((index) => (parseDailyIndex(ctx.names, index)?.day ?? '9999') < cutoffDay)
      .sort();
    for (let i = 0; i < deletedIndices.length; i += 50) {
      await ctx.es.indices.delete({ index: deletedIndices.slice(i, i + 50), ignore_unavailable: true });
    }
    const result: RetentionResult = {
      runId,
      cutoff,
      droppedPartitions,
      deletedRows: deleted.rowCount ?? 0,
      deletedIndices,
      durationMs: Date.now() - started,
    };
    await ctx.pool.query(
      `UPDATE retention_runs SET status = 'completed', finished_at = now(), dropped_partitions = $2, deleted_rows = $3,
       deleted_indices = $4, duration_ms = $5 WHERE id = $1`,
      [runId, JSON.stringify(droppedPartitions), result.deletedRows, JSON.stringify(deletedIndices), result.durationMs],
    );
    await progress({ percent: 100, phase: 'done', droppedPartitions: droppedPartitions.length, deletedIndices: deletedIndices.length });
    return result;
  } catch (error) {
    await ctx.pool.query(`UPDATE retention_runs SET status = 'failed', finished_at = now(), error = $2 WHERE id = $1`, [runId, String(error)]);
    throw error;
  }
}
