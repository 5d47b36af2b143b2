import type { Client } from '@elastic/elasticsearch';
import type { Logger } from '@logflow/core';
import type { Admin, Kafka } from 'kafkajs';
import type pg from 'pg';
import { z } from 'zod';
import { timeRangeClause, type TimeRange } from './log-filters.ts';
import { aliasTarget } from './search-request.ts';

export const freshnessSchema = z
  .object({
    esSinkLag: z.object({
      messages: z.number().int().nullable().describe('records on the log topic the Elasticsearch sink has not committed yet'),
      checkedAt: z.string().nullable(),
      error: z.string().optional(),
    }),
    missingFromElasticsearch: z.object({
      status: z.enum(['counted', 'pending', 'skipped']).describe('pending: being counted, ask again; skipped: see reason'),
      count: z.number().int().nullable().describe('logs of the range Postgres holds beyond what Elasticsearch holds'),
      postgres: z.number().int().nullable(),
      elasticsearch: z.number().int().nullable(),
      range: z.object({ from: z.string().nullable(), to: z.string().nullable() }).describe('the timestamp range counted, to the second'),
      checkedAt: z.string().nullable(),
      reason: z.string().optional(),
    }),
  })
  .describe('how far search lags behind the pipeline: Kafka consumer lag of the ES sink, and the Postgres/Elasticsearch count gap');
export type FreshnessReport = z.infer<typeof freshnessSchema>;
type Lag = FreshnessReport['esSinkLag'];
type Gap = FreshnessReport['missingFromElasticsearch'];

export interface FreshnessOptions {
  /** Consumer lag is fetched at most this often. */
  lagTtlMs: number;
  /** A range's counts are reused this long. */
  gapTtlMs: number;
  /** Counting a range in Postgres may take this long before it is given up (statement_timeout of the pool). */
  pgTimeoutMs: number;
  /** Ranges counted at the same time, at most. */
  maxConcurrentCounts: number;
}

export const DEFAULT_FRESHNESS_OPTIONS: FreshnessOptions = { lagTtlMs: 2_000, gapTtlMs: 5_000, pgTimeoutMs: 2_000, maxConcurrentCounts: 2 };
const MAX_CACHED_RANGES = 256;
/** After a count timed out, ranges at least as wide are not counted for this long. */
const SLOW_BACKOFF_MS = 60_000;

interface Cached<T> {
  value: T;
  at: number;
}

/**
 * Computes freshness figures in the background and answers from a short cache, so a search
 * waits for them only as long as it is willing to (its own duration, typically): a figure not
 * ready yet is reported as pending and is there for the next search of the same range.
 */
export class Freshness {
  private admin?: Admin;
  private lag?: Cached<Lag>;
  private lagInFlight?: Promise<void>;
  private readonly gaps = new Map<string, Cached<Gap>>();
  private readonly gapsInFlight = new Map<string, Promise<void>>();
  /** The narrowest range width whose count recently took too long, and until when to believe it. */
  private tooSlow?: { spanMs: number; until: number };

  constructor(
    private readonly deps: { kafka: Kafka; pool: pg.Pool; elasticsearch: Client; readAlias: string; topic: string; groupId: string; logger: Logger },
    private readonly options: FreshnessOptions = DEFAULT_FRESHNESS_OPTIONS,
  ) {}

  /** The figures for a timestamp range, waiting at most `waitMs` for those not cached yet. */
  async report(range: TimeRange, waitMs: number): Promise<FreshnessReport> {
    // Whole seconds, so that successive searches of a relative range (now-15m) share one count.
    const counted = { from: toSecond(range.from, Math.floor), to: toSecond(range.to, Math.ceil) };
    const key = `${counted.from ?? ''}|${counted.to ?? ''}`;
    const now = Date.now();
    const waits: Promise<void>[] = [];
    if (!this.lag || now - this.lag.at > this.options.lagTtlMs) waits.push(this.refreshLag());
    const gap = this.gaps.get(key);
    if (!gap || now - gap.at > this.options.gapTtlMs) waits.push(this.refreshGap(key, counted));
    if (waits.length > 0 && (!this.lag || !this.gaps.has(key))) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(waits), new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
    }
    return {
      esSinkLag: this.lag?.value ?? { messages: null, checkedAt: null },
      missingFromElasticsearch: this.gaps.get(key)?.value ?? {
        status: this.gapsInFlight.has(key) ? 'pending' : 'skipped',
        count: null,
        postgres: null,
        elasticsearch: null,
        range: isoRange(counted),
        checkedAt: null,
        ...(!this.gapsInFlight.has(key) && { reason: `${this.options.maxConcurrentCounts} other ranges are being counted; ask again` }),
      },
    };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.lagInFlight, ...this.gapsInFlight.values()]);
    await this.admin?.disconnect();
  }

  private refreshLag(): Promise<void> {
    this.lagInFlight ??= this.fetchLag()
      .then((messages) => ({ messages, checkedAt: new Date().toISOString() }))
      .catch((error: unknown) => ({ messages: null, checkedAt: new Date().toISOString(), error: `Kafka: ${(error as Error).message}` }))
      .then((value) => {
        this.lag = { value, at: Date.now() };
      })
      .finally(() => {
        this.lagInFlight = undefined;
      });
    return this.lagInFlight;
  }

  private async fetchLag(): Promise<number> {
    if (!this.admin) {
      const admin = this.deps.kafka.admin({ retry: { retries: 1 } });
      await admin.connect();
      this.admin = admin;
    }
    const { topic, groupId } = this.deps;
    const [ends, groups] = await Promise.all([this.admin.fetchTopicOffsets(topic), this.admin.fetchOffsets({ groupId, topics: [topic] })]);
    const committed = new Map((groups.find((g) => g.topic === topic)?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    return ends.reduce((sum, end) => {
      const position = committed.get(end.partition) ?? -1;
      // A partition the group never committed lags by everything it still holds.
      return sum + Math.max(0, Number(end.high) - (position < 0 ? Number(end.low) : position));
    }, 0);
  }

  private refreshGap(key: string, range: TimeRange): Promise<void> {
    const running = this.gapsInFlight.get(key);
    if (running) return running;
    if (this.gapsInFlight.size >= this.options.maxConcurrentCounts) return Promise.resolve();
    if (this.tooSlow && Date.now() < this.tooSlow.until && spanOf(range) >= this.tooSlow.spanMs) {
      // A dashboard refreshing a wide relative range would otherwise start a slow count every second.
      const reason = `counting a range this wide in Postgres took over ${this.options.pgTimeoutMs} ms a moment ago; narrow the time range`;
      this.remember(key, { status: 'skipped', count: null, postgres: null, elasticsearch: null, range: isoRange(range), checkedAt: new Date().toISOString(), reason });
      return Promise.resolve();
    }
    const task = this.countGap(range)
      .catch((error: unknown): Gap => {
        this.deps.logger.warn({ err: error }, 'freshness: counting a range failed');
        return { status: 'skipped', count: null, postgres: null, elasticsearch: null, range: isoRange(range), checkedAt: new Date().toISOString(), reason: (error as Error).message };
      })
      .then((value) => this.remember(key, value))
      .finally(() => this.gapsInFlight.delete(key));
    this.gapsInFlight.set(key, task);
    return task;
  }

  private remember(key: string, value: Gap): void {
    this.gaps.delete(key);
    this.gaps.set(key, { value, at: Date.now() });
    if (this.gaps.size > MAX_CACHED_RANGES) this.gaps.delete(this.gaps.keys().next().value!);
  }

  private async countGap(range: TimeRange): Promise<Gap> {
    const rangeIso = isoRange(range);
    const base = { range: rangeIso, checkedAt: new Date().toISOString() };
    const conditions: string[] = [];
    const values: string[] = [];
    if (rangeIso.from) conditions.push(`timestamp >= $${values.push(rangeIso.from)}`);
    if (rangeIso.to) conditions.push(`timestamp < $${values.push(rangeIso.to)}`);
    const sql = `SELECT count(*)::bigint AS n FROM logs${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''}`;
    const [pgCount, esCount] = await Promise.allSettled([
      this.deps.pool.query<{ n: string }>(sql, values).then((r) => Number(r.rows[0]!.n)),
      this.deps.elasticsearch.count({ ...aliasTarget(this.deps.readAlias), query: timeRangeClause(range) ?? { match_all: {} } }).then((r) => r.count),
    ]);
    if (pgCount.status === 'rejected') {
      const timedOut = (pgCount.reason as { code?: string }).code === '57014';
      if (timedOut) this.tooSlow = { spanMs: Math.min(spanOf(range), this.tooSlow?.spanMs ?? Infinity), until: Date.now() + SLOW_BACKOFF_MS };
      else this.deps.logger.warn({ err: pgCount.reason }, 'freshness: counting logs in Postgres failed');
      const reason = timedOut ? `counting the range in Postgres took over ${this.options.pgTimeoutMs} ms; narrow the time range` : `Postgres: ${(pgCount.reason as Error).message}`;
      return { ...base, status: 'skipped', count: null, postgres: null, elasticsearch: esCount.status === 'fulfilled' ? esCount.value : null, reason };
    }
    if (esCount.status === 'rejected') {
      return { ...base, status: 'skipped', count: null, postgres: pgCount.value, elasticsearch: null, reason: `Elasticsearch: ${(esCount.reason as Error).message}` };
    }
    return { ...base, status: 'counted', count: Math.max(0, pgCount.value - esCount.value), postgres: pgCount.value, elasticsearch: esCount.value };
  }
}

function toSecond(ms: number | undefined, round: (seconds: number) => number): number | undefined {
  return ms === undefined ? undefined : round(ms / 1000) * 1000;
}

function isoOrNull(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

function isoRange(range: TimeRange): { from: string | null; to: string | null } {
  return { from: isoOrNull(range.from), to: isoOrNull(range.to) };
}

/** Width of a range in ms; an open one is infinitely wide. */
function spanOf(range: TimeRange): number {
  return (range.to ?? Infinity) - (range.from ?? -Infinity);
}
