import type { Client } from '@elastic/elasticsearch';
import type { Pool } from '@logflow/core';
import { writeDocs } from './es-docs.ts';
import type { LogFilter } from './log-filter.ts';
import { docsInRange, type DocRow } from './pg-logs.ts';
import type { TimeRange } from './time-ranges.ts';

// Two bulk requests of 5,000 per page: writeDocs sends them side by side.
const PAGE = 10_000;

export interface CopyTotals {
  matched: number;
  indexed: number;
  refused: number;
}

/**
 * Streams the logs of a range from Postgres into Elasticsearch: the next page is read while
 * the one before is being written, so the copy runs at the speed of the slower store, not of both.
 */
export async function copyRange(
  es: Client,
  pool: Pool,
  range: TimeRange,
  filter: LogFilter,
  indexFor: (doc: DocRow) => string,
  onPage: (totals: CopyTotals) => Promise<void> | void = () => undefined,
): Promise<CopyTotals> {
  const totals: CopyTotals = { matched: 0, indexed: 0, refused: 0 };
  let writing: Promise<unknown> = Promise.resolve();
  let failure: { error: unknown } | undefined;
  for await (const page of docsInRange(pool, range, filter, PAGE)) {
    await writing;
    if (failure) throw failure.error;
    totals.matched += page.length;
    // The failure is kept, not left unhandled, while the next page is read.
    writing = writeDocs(
      es,
      page.map((doc) => ({ index: indexFor(doc), doc })),
    ).then(
      async (outcome) => {
        totals.indexed += outcome.indexed;
        totals.refused += outcome.refused.length;
        await onPage(totals);
      },
      (error: unknown) => {
        failure = { error };
      },
    );
  }
  await writing;
  if (failure) throw failure.error;
  return totals;
}
