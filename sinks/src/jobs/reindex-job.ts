import { awaitWatermark, cutoverTemplate, dailyIndex, installIndexTemplate, parseDailyIndex, readWritePlan, type ReindexResult, type WritePlan, writeWritePlan } from '@logflow/core';
import { copyRange } from './copy-range.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobContext, ReportProgress } from './job-context.ts';
import { countInRange, oldestReceipt } from './pg-logs.ts';
import { reconcileRange } from './reconcile.ts';
import { retentionCutoff } from './retention-job.ts';

/**
 * The generation an earlier attempt of the same job built. BullMQ runs a job whose worker died
 * again; when that attempt had swapped already, the new one only finishes the drop instead of
 * starting yet another generation.
 */
export interface ReindexAttempt {
  generation?: number;
  remember(generation: number): Promise<void>;
}

/** How long the sinks may take to pass the cutover before the reindex gives up (and can be run again to resume). */
const CATCH_UP_TIMEOUT_MS = 10 * 60_000;

const CATCH_UP_ATTEMPTS = 10;

/**
 * How many logs searches see in the old generation that the new one would not show: more logs
 * received before the cutover than the new generation holds, and any log received after it
 * that a late writer put in the old generation and the new one lacks.
 */
async function oldLogsTheNewGenerationLacks(ctx: JobContext, previous: number, newPattern: string, cutover: number): Promise<number> {
  const oldPattern = `${ctx.names.prefix}-${previous}-*`;
  const lenient = { ignore_unavailable: true, allow_no_indices: true } as const;
  const before = { range: { receivedAt: { lt: cutover, format: 'epoch_millis' } } };
  const [oldCount, newCount, late] = await Promise.all([
    ctx.es.count({ index: oldPattern, ...lenient, query: before }),
    ctx.es.count({ index: newPattern, ...lenient, query: before }),
    ctx.es.search({
      index: oldPattern,
      ...lenient,
      size: 10_000,
      stored_fields: ['_none_'],
      docvalue_fields: ['id'],
      query: { range: { receivedAt: { gte: cutover, format: 'epoch_millis' } } },
    }),
  ]);
  const lateIds = late.hits.hits.map((hit) => (hit.fields as { id: [string] }).id[0]);
  let lateLacking = 0;
  if (lateIds.length > 0) {
    const found = await ctx.es.search({ index: newPattern, ...lenient, size: lateIds.length, _source: false, query: { terms: { id: lateIds } } });
    lateLacking = lateIds.length - found.hits.hits.length;
  }
  return Math.max(0, oldCount.count - newCount.count) + lateLacking;
}

/** The installation's daily indices by generation, and the ones the read alias covers. */
async function dailyIndices(ctx: JobContext): Promise<{ byGeneration: Map<number, string[]>; inAlias: Set<string> }> {
  const [rows, aliases] = await Promise.all([
    ctx.es.cat.indices({ index: `${ctx.names.prefix}-*`, format: 'json', h: 'index' }),
    ctx.es.indices.getAlias({ name: ctx.names.readAlias }).catch(() => ({})),
  ]);
  const byGeneration = new Map<number, string[]>();
  for (const { index } of rows) {
    const parsed = parseDailyIndex(ctx.names, index!);
    if (parsed) byGeneration.set(parsed.generation, [...(byGeneration.get(parsed.generation) ?? []), index!].sort());
  }
  return { byGeneration, inAlias: new Set(Object.keys(aliases)) };
}

async function deleteIndices(ctx: JobContext, indices: readonly string[]): Promise<void> {
  for (let i = 0; i < indices.length; i += 50) {
    await ctx.es.indices.delete({ index: indices.slice(i, i + 50), ignore_unavailable: true });
  }
}

/** An attempt that died after its swap: drop what is left of the old generation. */
async function finishDrop(ctx: JobContext, generation: number, started: number, progress: ReportProgress): Promise<ReindexResult> {
  const { byGeneration, inAlias } = await dailyIndices(ctx);
  const droppedIndices = [...byGeneration]
    .filter(([g]) => g !== generation)
    .flatMap(([, indices]) => indices)
    .filter((index) => !inAlias.has(index));
  await deleteIndices(ctx, droppedIndices);
  await progress({ percent: 100, phase: 'done' });
  return {
    fromGeneration: generation - 1,
    toGeneration: generation,
    cutoverAt: null,
    backfilled: 0,
    caughtUp: 0,
    droppedIndices,
    durationMs: Date.now() - started,
  };
}

/**
 * Announces a new generation: its template (read alias filtered to logs received from the
 * cutover on) and then the write plan. The cutover lies three plan refreshes ahead, so every
 * writer knows the plan before the first log that it routes to the new generation arrives.
 */
async function announce(ctx: JobContext, plan: WritePlan): Promise<Required<WritePlan>> {
  const { byGeneration, inAlias } = await dailyIndices(ctx);
  // Indices of other generations are leftovers of an earlier reindex: nothing writes them, and outside the alias nothing reads them.
  const leftovers = [...byGeneration].filter(([g]) => g !== plan.generation).flatMap(([, indices]) => indices);
  await deleteIndices(
    ctx,
    leftovers.filter((index) => !inAlias.has(index)),
  );
  const next = {
    generation: plan.generation + 1,
    previous: plan.generation,
    cutoverAt: new Date(Date.now() + 3 * ctx.config.elasticsearch.generationRefreshMs).toISOString(),
  };
  await installIndexTemplate(ctx.es, ctx.config);
  await ctx.es.indices.putIndexTemplate(cutoverTemplate(ctx.config, next.generation, next.cutoverAt));
  await writeWritePlan(ctx.es, ctx.names, next);
  return next;
}

/**
 * Builds a new generation from Postgres while ingestion goes on, then swaps the read alias:
 * 1. announce the cutover C: logs received from C on are written to the new generation, whose
 *    indices join the read alias filtered to receivedAt >= C (no log is seen twice);
 * 2. once both sinks hold every log received before C, copy those from Postgres into it;
 * 3. reconcile the new generation with Postgres (anything a late writer put in the old one);
 * 4. in one alias update, swap the old generation's indices for the new ones, unfiltered;
 * 5. route every log to the new generation, wait for writers to learn it, drop the old one.
 * A reindex that stopped midway resumes from the write plan it left.
 */
export async function runReindex(ctx: JobContext, progress: ReportProgress, attempt: ReindexAttempt): Promise<ReindexResult> {
  const started = Date.now();
  const current = await readWritePlan(ctx.es, ctx.names);
  const cutoverPending = current.previous !== undefined && current.cutoverAt !== undefined;
  if (!cutoverPending && attempt.generation !== undefined && current.generation >= attempt.generation) {
    return finishDrop(ctx, current.generation, started, progress);
  }
  const plan = cutoverPending ? (current as Required<WritePlan>) : await announce(ctx, current);
  await attempt.remember(plan.generation);
  const { generation, previous, cutoverAt } = plan;
  const cutover = Date.parse(cutoverAt);
  ctx.logger.info({ plan }, 'reindex: cutover announced');
  await progress({ percent: 1, phase: 'cutover', generation, cutoverAt });

  // 2. Every log received before C is in both sinks once a sample taken at C + settle is passed.
  const deadline = Date.now() + CATCH_UP_TIMEOUT_MS;
  for (;;) {
    // A timer may fire a millisecond early by the wall clock: aim a little past the instant.
    await sleep(Math.max(0, cutover + ctx.config.adminJobs.settleMs + 100 - Date.now()));
    const { watermark } = await awaitWatermark(ctx.kafkaAdmin, ctx.pool, ctx.config, [], 10_000);
    if (watermark !== undefined && watermark >= cutover) break;
    if (Date.now() > deadline) throw new Error('the sinks did not catch up with the cutover in time; run reindex again to resume');
  }

  const keptFrom = await retentionCutoff(ctx.pool);
  const filter = { keptFrom };
  const from = Math.max((await oldestReceipt(ctx.pool, filter)) ?? cutover, keptFrom ?? -Infinity);
  const intoNew = (ms: number) => dailyIndex(ctx.names, generation, new Date(ms).toISOString());
  const total = await countInRange(ctx.pool, { from, to: cutover }, filter);
  await progress({ percent: 5, phase: 'backfill', total, copied: 0 });
  const copied = await copyRange(
    ctx.es,
    ctx.pool,
    { from, to: cutover },
    filter,
    (doc) => intoNew(Date.parse(doc.receivedAt)),
    (t) => progress({ percent: 5 + (total === 0 ? 80 : (80 * t.matched) / total), phase: 'backfill', total, copied: t.indexed }),
  );

  // 3. Up to the current watermark, the new generation must now hold exactly what Postgres holds,
  // and everything searches see in the old one: a log whose way into Postgres took longer than
  // the settle time, or one a late writer put in the old generation, is caught up from Postgres.
  const newPattern = `${ctx.names.prefix}-${generation}-*`;
  let caughtUp = 0;
  let lackingBefore = Infinity;
  for (let attempt = 1; ; attempt++) {
    const { watermark: now } = await awaitWatermark(ctx.kafkaAdmin, ctx.pool, ctx.config, [], 10_000);
    const check = await reconcileRange(
      ctx.es,
      ctx.pool,
      { range: { from, to: Math.max(now ?? cutover, cutover) }, filter, removeExtra: false, target: newPattern, expectedIndex: intoNew },
      ({ percent }) => progress({ percent: 85 + percent / 10, phase: 'catch-up', total, copied: copied.indexed }),
    );
    caughtUp += check.replayed + check.outdatedReplaced;
    // What the catch-up wrote must be searchable before the swap, not a refresh interval after it.
    const both = [newPattern, `${ctx.names.prefix}-${previous}-*`];
    await ctx.es.indices.refresh({ index: both, ignore_unavailable: true, allow_no_indices: true });
    const lacking = await oldLogsTheNewGenerationLacks(ctx, previous, newPattern, cutover);
    // What stays lacking once Postgres has nothing more to give is not a log: twins and extras of the old generation.
    if (lacking === 0 || lacking >= lackingBefore || attempt >= CATCH_UP_ATTEMPTS) {
      if (lacking > 0) ctx.logger.warn({ lacking }, 'reindex: documents of the old generation that Postgres does not have are not carried over');
      break;
    }
    lackingBefore = lacking;
    ctx.logger.info({ lacking, attempt }, 'reindex: the new generation lacks logs of the old one; catching up again');
    await sleep(ctx.config.adminJobs.settleMs);
  }

  // 4. The swap: searches see either the old generation or the complete new one, never neither.
  await ctx.es.cluster.health({ index: `${ctx.names.prefix}-${generation}-*`, wait_for_status: 'yellow', timeout: '60s' });
  const before = await dailyIndices(ctx);
  const oldIndices = before.byGeneration.get(previous) ?? [];
  const newIndices = before.byGeneration.get(generation) ?? [];
  await ctx.es.indices.updateAliases({
    actions: [
      ...oldIndices.filter((index) => before.inAlias.has(index)).map((index) => ({ remove: { index, alias: ctx.names.readAlias } })),
      ...newIndices.map((index) => ({ add: { index, alias: ctx.names.readAlias } })),
    ],
  });
  await progress({ percent: 96, phase: 'swap', total, copied: copied.indexed });

  // 5. From now on every log goes to the new generation; a new index created meanwhile got the filtered alias: unfilter it.
  await writeWritePlan(ctx.es, ctx.names, { generation });
  await ctx.es.indices.deleteIndexTemplate({ name: cutoverTemplate(ctx.config, generation, cutoverAt).name }, { ignore: [404] });
  const created = ((await dailyIndices(ctx)).byGeneration.get(generation) ?? []).filter((index) => !newIndices.includes(index));
  if (created.length > 0) {
    await ctx.es.indices.updateAliases({ actions: created.map((index) => ({ add: { index, alias: ctx.names.readAlias } })) });
  }
  await sleep(3 * ctx.config.elasticsearch.generationRefreshMs);
  const droppedIndices = (await dailyIndices(ctx)).byGeneration.get(previous) ?? [];
  await deleteIndices(ctx, droppedIndices);

  const result: ReindexResult = {
    fromGeneration: previous,
    toGeneration: generation,
    cutoverAt,
    backfilled: copied.indexed,
    caughtUp,
    droppedIndices,
    durationMs: Date.now() - started,
  };
  await progress({ percent: 100, phase: 'done', total, copied: copied.indexed });
  ctx.logger.info(result, 'reindex finished');
  return result;
}
