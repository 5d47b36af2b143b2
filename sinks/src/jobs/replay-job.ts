import { readWritePlan, type ReplayData, type ReplayResult } from '@logflow/core';
import { copyRange, type CopyTotals } from './copy-range.ts';
import { expectedIndexFor, type JobContext, type ReportProgress } from './job-context.ts';
import { countInRange } from './pg-logs.ts';
import { retentionCutoff } from './retention-job.ts';

/** Re-indexes a range of receivedAt (optionally some resourceIds or levels) from Postgres into Elasticsearch. */
export async function runReplay(ctx: JobContext, data: ReplayData, progress: ReportProgress): Promise<ReplayResult> {
  const started = Date.now();
  const range = { from: Date.parse(data.from), to: Date.parse(data.to) };
  const filter = { resourceIds: data.resourceIds, levels: data.levels, keptFrom: await retentionCutoff(ctx.pool) };
  const expectedIndex = expectedIndexFor(ctx.names, await readWritePlan(ctx.es, ctx.names));
  const total = await countInRange(ctx.pool, range, filter);
  await progress({ percent: 0, phase: 'replay', total, indexed: 0 });
  const report = (t: CopyTotals) => progress({ percent: total === 0 ? 100 : Math.min(100, (100 * t.matched) / total), phase: 'replay', total, indexed: t.indexed, refused: t.refused });
  const totals = await copyRange(ctx.es, ctx.pool, range, filter, (doc) => expectedIndex(Date.parse(doc.receivedAt)), report);
  return { from: data.from, to: data.to, ...totals, durationMs: Date.now() - started };
}
