/** A copy of a log in Elasticsearch: which index holds it and when that copy says it was received. */
export interface EsCopy {
  id: string;
  index: string;
  receivedAt: number;
}

/** Postgres's version of a log: when it was received (the truth about where its copy belongs). */
export type PgReceipts = ReadonlyMap<string, number>;

/** The daily index a log received at `receivedAt` belongs in. */
export type ExpectedIndex = (receivedAt: number) => string;

export interface LeafDiff {
  /** Postgres has them; no copy is where it belongs. */
  missing: string[];
  /** A copy is where it belongs but says another receivedAt (a same-day retry overwrote it): replaced from Postgres. */
  outdated: string[];
  /** Copies of a log Postgres has, in an index where it does not belong (docs/architecture.md, Identity: twins). */
  twins: EsCopy[];
  /** Copies whose id Postgres does not have in this leaf: looked up by id before judging. */
  unknown: EsCopy[];
}

/**
 * Compares one leaf range: the ids Postgres holds in it with the copies Elasticsearch holds
 * in it. Identity is the id (Elasticsearch's `_id`); the copy in the index that Postgres's
 * receivedAt names is the one that stays.
 */
export function diffLeaf(pg: PgReceipts, es: readonly EsCopy[], expectedIndex: ExpectedIndex): LeafDiff {
  const diff: LeafDiff = { missing: [], outdated: [], twins: [], unknown: [] };
  const placed = new Map<string, EsCopy>();
  for (const copy of es) {
    const receivedAt = pg.get(copy.id);
    if (receivedAt === undefined) diff.unknown.push(copy);
    else if (copy.index === expectedIndex(receivedAt)) placed.set(copy.id, copy);
    else diff.twins.push(copy);
  }
  for (const [id, receivedAt] of pg) {
    const copy = placed.get(id);
    if (!copy) diff.missing.push(id);
    else if (copy.receivedAt !== receivedAt) diff.outdated.push(id);
  }
  return diff;
}

export interface UnknownVerdicts {
  /** Postgres has the log, received elsewhere in time: the copy is outdated if it sits where the log belongs, a twin otherwise. */
  outdated: string[];
  twins: EsCopy[];
  /** Postgres does not have the log at all. */
  extra: EsCopy[];
}

/** Judges the copies a leaf could not place, once Postgres was asked for their ids. */
export function judgeUnknown(copies: readonly EsCopy[], pgById: PgReceipts, expectedIndex: ExpectedIndex): UnknownVerdicts {
  const verdicts: UnknownVerdicts = { outdated: [], twins: [], extra: [] };
  for (const copy of copies) {
    const receivedAt = pgById.get(copy.id);
    if (receivedAt === undefined) verdicts.extra.push(copy);
    else if (copy.index === expectedIndex(receivedAt)) verdicts.outdated.push(copy.id);
    else verdicts.twins.push(copy);
  }
  return verdicts;
}
