import type { Client } from '@elastic/elasticsearch';
import type { Pool, ReconcileCounts } from '@logflow/core';
import { copyRange } from './copy-range.ts';
import { copiesInRange, deleteCopies, esCountByRanges, writeDocs, type Placed } from './es-docs.ts';
import { diffLeaf, judgeUnknown, type EsCopy, type ExpectedIndex } from './leaf-diff.ts';
import type { LogFilter } from './log-filter.ts';
import { docsByIds, pgCountByRanges, receiptsById, receiptsInRange, type DocRow } from './pg-logs.ts';
import { judgeRange, splitByUtcDay, splitRange, type TimeRange } from './time-ranges.ts';

/** Ids are compared in ranges of at most this many logs; larger differing ranges are split first. */
export const LEAF_SIZE = 10_000;
const FAN_OUT = 16;
const LEAF_CONCURRENCY = 2;

export interface ReconcileScope {
  range: TimeRange;
  filter: LogFilter;
  removeExtra: boolean;
  /** What to compare Postgres with: the read alias, or the indices of a generation being built. */
  target: string;
  expectedIndex: ExpectedIndex;
}

export type ReconcileProgress = (counts: ReconcileCounts & { percent: number }) => Promise<void>;

export function emptyCounts(): ReconcileCounts {
  return {
    rangesChecked: 0,
    leavesDiffed: 0,
    logsChecked: 0,
    missingFound: 0,
    replayed: 0,
    replayRefused: 0,
    outdatedReplaced: 0,
    extraFound: 0,
    extraRemoved: 0,
    twinsRemoved: 0,
  };
}

/**
 * Compares Postgres with Elasticsearch over a range of receivedAt and repairs Elasticsearch.
 * Counts per range first (one query per side for a whole level of ranges), then only the
 * ranges whose counts differ are split, and ids are compared only in small leaves. Every
 * repair is idempotent (`_id` = id, deletes by index and id), so a run cut short is simply
 * run again.
 */
export async function reconcileRange(es: Client, pool: Pool, scope: ReconcileScope, onProgress: ReconcileProgress): Promise<ReconcileCounts> {
  const counts = emptyCounts();
  // Documents indexed within the last second are not searchable until a refresh.
  await es.indices.refresh({ index: scope.target, ignore_unavailable: true, allow_no_indices: true });
  let resolved = 0;
  const report = () => onProgress({ ...counts, percent: counts.logsChecked === 0 ? 100 : Math.min(100, (100 * resolved) / counts.logsChecked) });

  let level = splitByUtcDay(scope.range);
  let first = true;
  while (level.length > 0) {
    const [pgCounts, esCounts] = await Promise.all([pgCountByRanges(pool, level, scope.filter), esCountByRanges(es, scope.target, level, scope.filter)]);
    counts.rangesChecked += level.length;
    if (first) counts.logsChecked = pgCounts.reduce((sum, n) => sum + n, 0);
    first = false;
    const next: TimeRange[] = [];
    const leaves: { range: TimeRange; pgCount: number; refill: boolean }[] = [];
    level.forEach((range, i) => {
      const verdict = judgeRange(range, pgCounts[i]!, esCounts[i]!, LEAF_SIZE);
      if (verdict === 'equal') resolved += pgCounts[i]!;
      else if (verdict === 'split') next.push(...splitRange(range, FAN_OUT));
      else leaves.push({ range, pgCount: pgCounts[i]!, refill: verdict === 'refill' });
    });
    await report();
    const worker = async () => {
      for (let leaf = leaves.shift(); leaf; leaf = leaves.shift()) {
        if (leaf.refill) await refillRange(es, pool, scope, leaf.range, counts, report);
        else await repairLeaf(es, pool, scope, leaf.range, counts);
        resolved += leaf.pgCount;
        await report();
      }
    };
    await Promise.all(Array.from({ length: LEAF_CONCURRENCY }, worker));
    level = next;
  }
  return counts;
}

/** A range Elasticsearch holds nothing of: every log in it is missing, so it is streamed over without an id diff. */
async function refillRange(es: Client, pool: Pool, scope: ReconcileScope, range: TimeRange, counts: ReconcileCounts, report: () => Promise<void>): Promise<void> {
  // Other leaves update the same counts concurrently: add what this range did since its last page.
  let seen = { matched: 0, indexed: 0, refused: 0 };
  await copyRange(
    es,
    pool,
    range,
    scope.filter,
    (doc) => scope.expectedIndex(Date.parse(doc.receivedAt)),
    (totals) => {
      counts.missingFound += totals.matched - seen.matched;
      counts.replayed += totals.indexed - seen.indexed;
      counts.replayRefused += totals.refused - seen.refused;
      seen = { ...totals };
      return report();
    },
  );
}

const place = (docs: readonly DocRow[], expectedIndex: ExpectedIndex): Placed[] => docs.map((doc) => ({ index: expectedIndex(Date.parse(doc.receivedAt)), doc }));

async function repairLeaf(es: Client, pool: Pool, scope: ReconcileScope, range: TimeRange, counts: ReconcileCounts): Promise<void> {
  const [pgReceipts, copies] = await Promise.all([receiptsInRange(pool, range, scope.filter), copiesInRange(es, scope.target, range, scope.filter)]);
  counts.leavesDiffed += 1;
  const diff = diffLeaf(pgReceipts, copies, scope.expectedIndex);
  const strays = judgeUnknown(
    diff.unknown,
    await receiptsById(
      pool,
      diff.unknown.map((c) => c.id),
    ),
    scope.expectedIndex,
  );

  counts.missingFound += diff.missing.length;
  const missing = await writeDocs(es, place(await docsByIds(pool, diff.missing, range), scope.expectedIndex));
  counts.replayed += missing.indexed;
  counts.replayRefused += missing.refused.length;

  const outdated = [...diff.outdated, ...strays.outdated];
  if (outdated.length > 0) {
    counts.outdatedReplaced += (await writeDocs(es, place(await docsByIds(pool, outdated), scope.expectedIndex))).indexed;
  }

  const twins = [...diff.twins, ...strays.twins];
  if (twins.length > 0) {
    // The copy that stays must exist before its twin goes: write it (again) from Postgres first.
    const missingHere = new Set(diff.missing);
    const keep = [...new Set(twins.map((t) => t.id))].filter((id) => !missingHere.has(id));
    await writeDocs(es, place(await docsByIds(pool, keep), scope.expectedIndex));
    counts.twinsRemoved += await deleteCopies(es, twins);
  }

  counts.extraFound += strays.extra.length;
  if (scope.removeExtra && strays.extra.length > 0) counts.extraRemoved += await deleteCopies(es, strays.extra satisfies EsCopy[]);
}
