import { dailyIndex, ensureDailyPartitions, installIndexTemplate, type LogRecord, LogIdGenerator, type Pool, type ReconcileCounts, utcDays } from '@logflow/core';
import { copyRange, reconcileRange, writeDocs } from '@logflow/sinks';
import { createInstallation, sample, type Installation } from '../test/installation.ts';

const CHUNK = 10_000;
const HOUR_MS = 3_600_000;
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The benchmark's logs: log `i` of `total`, received over the hour before `now`, rebuilt the same from its id. */
function benchRecord(id: string, i: number, total: number, now: number): LogRecord {
  const receivedAt = new Date(now - HOUR_MS + Math.floor((i * HOUR_MS) / total)).toISOString();
  return {
    id,
    receivedAt,
    level: i % 10 === 0 ? 'error' : 'info',
    message: `request ${i} served in ${i % 997} ms`,
    timestamp: receivedAt,
    resourceId: `server-${i % 97}`,
    traceId: `trace-${i % 1000}`,
    spanId: undefined,
    commit: undefined,
    metadata: { parentResourceId: 'server-0987', n: i },
  };
}

/** Rows straight into Postgres, as the PG sink writes them (one jsonb parameter per statement). */
async function insertRows(pool: Pool, records: LogRecord[], firstOffset: number): Promise<void> {
  const rows = records.map((r, i) => ({
    id: r.id,
    timestamp: r.timestamp,
    received_at: r.receivedAt,
    level: r.level,
    message: r.message,
    resource_id: r.resourceId,
    trace_id: r.traceId,
    metadata: r.metadata,
    kafka_offset: firstOffset + i,
  }));
  await pool.query(
    `INSERT INTO logs (id, "timestamp", received_at, level, message, resource_id, trace_id, metadata, kafka_partition, kafka_offset)
     SELECT id, "timestamp", received_at, level, message, resource_id, trace_id, metadata, 0, kafka_offset
     FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, "timestamp" timestamptz, received_at timestamptz, level text, message text,
       resource_id text, trace_id text, metadata jsonb, kafka_offset bigint)`,
    [JSON.stringify(rows)],
  );
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = performance.now();
  const value = await work();
  return { value, seconds: (performance.now() - started) / 1000 };
}

async function dropDailyIndices(lf: Installation): Promise<void> {
  const rows = await lf.es.cat.indices({ index: `${lf.names.prefix}-*`, format: 'json', h: 'index' });
  if (rows.length > 0) await lf.es.indices.delete({ index: rows.map((r) => r.index!) });
}

/**
 * `npm run bench -- reconcile [logs] [missing]`: puts `logs` logs (1,000,000 by default) in
 * Postgres and Elasticsearch, then times a reconcile with nothing missing, one with `missing`
 * (1%) deleted at random, and a replay of every log from Postgres against a direct bulk load
 * of the same logs (same requests: 5,000 documents, two in flight), each twice in the order
 * direct, replay, replay, direct so that drift on a shared machine cancels out. Runs in an
 * installation of its own, removed afterwards.
 */
export async function run(args: string[]): Promise<void> {
  const total = Number(args[0] ?? 1_000_000);
  const missing = Number(args[1] ?? Math.round(total / 100));
  const lf = await createInstallation('bench');
  try {
    const now = Date.now();
    await installIndexTemplate(lf.es, lf.config);
    await ensureDailyPartitions(lf.pool, utcDays(new Date(now - HOUR_MS), 2));
    const generator = new LogIdGenerator();
    const ids = Array.from({ length: total }, () => generator.next());
    const indexOf = (ms: number) => dailyIndex(lf.names, 1, new Date(ms).toISOString());
    const chunkOf = (start: number) => ids.slice(start, start + CHUNK).map((id, k) => benchRecord(id, start + k, total, now));
    const directLoad = async () => {
      for (let start = 0; start < total; start += CHUNK) {
        const docs = chunkOf(start).map((r) => ({ index: indexOf(Date.parse(r.receivedAt)), doc: { id: r.id, receivedAt: r.receivedAt, json: JSON.stringify(r) } }));
        await writeDocs(lf.es, docs);
      }
    };

    console.log(`\nReconcile benchmark: ${fmt(total)} logs, ${fmt(missing)} missing\n`);
    const pgLoad = await timed(async () => {
      for (let start = 0; start < total; start += CHUNK) await insertRows(lf.pool, chunkOf(start), start);
      await lf.pool.query('VACUUM ANALYZE logs');
    });
    const esLoad = await timed(directLoad);
    const counts = await lf.counts();
    console.log(`loaded: Postgres ${fmt(counts.pg)} rows in ${fmt(pgLoad.seconds, 1)} s, Elasticsearch ${fmt(counts.es)} docs in ${fmt(esLoad.seconds, 1)} s`);

    const range = { from: now - HOUR_MS, to: now };
    const reconcile = () => reconcileRange(lf.es, lf.pool, { range, filter: {}, removeExtra: false, target: lf.names.readAlias, expectedIndex: indexOf }, async () => undefined);
    const clean = await timed(reconcile);

    const doomed = sample([...ids.keys()], missing);
    for (let i = 0; i < doomed.length; i += 5_000) {
      const batch = doomed.slice(i, i + 5_000).map((k) => benchRecord(ids[k]!, k, total, now));
      await lf.es.bulk({ operations: batch.map((r) => ({ delete: { _index: indexOf(Date.parse(r.receivedAt)), _id: r.id } })) });
    }
    const gone = counts.es - (await lf.counts()).es;
    const repair = await timed(reconcile);
    const after = await timed(reconcile);

    const rounds: { direct: number; replay: number }[] = [];
    const replayOnce = async () => {
      await dropDailyIndices(lf);
      return (await timed(() => copyRange(lf.es, lf.pool, range, {}, (doc) => indexOf(Date.parse(doc.receivedAt))))).seconds;
    };
    const directOnce = async () => {
      await dropDailyIndices(lf);
      return (await timed(directLoad)).seconds;
    };
    // Alternating rounds, which goes first switching each time, so a drift of the shared machine hits both alike.
    const ROUNDS = 6;
    for (let i = 0; i < ROUNDS; i++) {
      if (i % 2 === 0) rounds.push({ direct: await directOnce(), replay: await replayOnce() });
      else {
        const replay = await replayOnce();
        rounds.push({ direct: await directOnce(), replay });
      }
    }
    const final = await timed(reconcile);

    const describe = (c: ReconcileCounts) =>
      `ranges ${fmt(c.rangesChecked)}, leaves diffed ${fmt(c.leavesDiffed)}, missing ${fmt(c.missingFound)}, replayed ${fmt(c.replayed)}, extra ${fmt(c.extraFound)}`;
    const rate = (seconds: number) => `${fmt(total / seconds)} logs/s`;
    console.log(`\nreconcile, nothing missing:        ${fmt(clean.seconds, 2)} s   (${describe(clean.value)})   target <= 10 s`);
    console.log(`reconcile, ${fmt(gone).padEnd(7)} deleted:  ${fmt(repair.seconds, 2)} s   (${describe(repair.value)})   detect + repair`);
    console.log(`reconcile right after:             ${fmt(after.seconds, 2)} s   (${describe(after.value)})`);
    for (const [i, round] of rounds.entries()) {
      console.log(`round ${i + 1}: direct bulk load ${rate(round.direct)} (${fmt(round.direct, 1)} s), replay from Postgres ${rate(round.replay)} (${fmt(round.replay, 1)} s)`);
    }
    const direct = rounds.reduce((sum, r) => sum + r.direct, 0);
    const replay = rounds.reduce((sum, r) => sum + r.replay, 0);
    const ratios = rounds.map((r) => r.direct / r.replay).sort((a, b) => a - b);
    const median = (ratios[(ratios.length - 1) >> 1]! + ratios[ratios.length >> 1]!) / 2;
    console.log(
      `ratio replay / direct bulk load:   ${fmt(direct / replay, 2)} over ${rounds.length} rounds (per round: median ${fmt(median, 2)}, min ${fmt(ratios[0]!, 2)}, max ${fmt(ratios.at(-1)!, 2)})   (target >= 0.8)`,
    );
    console.log(`reconcile after the replays:       ${fmt(final.seconds, 2)} s   (${describe(final.value)})`);
  } finally {
    await lf.close();
  }
}
