import { listDeadLetters } from '@logflow/core';
import { gzipSync } from 'node:zlib';
import { eventually } from '../roles.ts';
import type { ChaosEnv } from './chaos-env.ts';
import type { LoadFigures, LoadGenerator } from './load-generator.ts';
import { setTimeout as sleep } from 'node:timers/promises';

/** How big a run is: `full` is `npm run chaos`, `quick` the subset inside `npm test`. */
export interface Scale {
  name: 'full' | 'quick';
  /** About how many logs each kill fault (1 and 2) sends, spread over the kills (a kill and a rejoin take ~15 s); more when a restart is slow. */
  killLogs: number;
  sinkKills: number;
  killLogsPerSecond: number;
  ingesterKills: number;
  kafkaRestarts: number;
  esDownMs: number;
  esThrottleMs: number;
  pgDownMs: number;
  churnMs: number;
  poisonLogs: number;
  logsPerSecond: number;
  kafkaKills: number;
  /** How long each new outage (a hung network, item 429s, the flood-stage block, Redis down, two faults at once) lasts. */
  faultMs: number;
  /** Logs sent for each self-check and each loss behind LogFlow's back. */
  lossLogs: number;
}

export const FULL: Scale = {
  name: 'full',
  killLogs: 100_000,
  sinkKills: 10,
  killLogsPerSecond: 500,
  ingesterKills: 3,
  kafkaRestarts: 3,
  esDownMs: 120_000,
  esThrottleMs: 60_000,
  pgDownMs: 60_000,
  churnMs: 120_000,
  poisonLogs: 20_000,
  logsPerSecond: 2_000,
  kafkaKills: 3,
  faultMs: 60_000,
  lossLogs: 20_000,
};

export const QUICK: Scale = {
  name: 'quick',
  killLogs: 4_500,
  sinkKills: 2,
  killLogsPerSecond: 150,
  ingesterKills: 2,
  kafkaRestarts: 1,
  esDownMs: 10_000,
  esThrottleMs: 10_000,
  pgDownMs: 10_000,
  churnMs: 40_000,
  poisonLogs: 3_000,
  logsPerSecond: 1_000,
  kafkaKills: 1,
  faultMs: 8_000,
  lossLogs: 2_000,
};

/** The scale in a line, for the report's heading. */
export function describeScale(scale: Scale): string {
  return (
    `about ${scale.killLogs.toLocaleString('en')} logs per kill fault at ${scale.killLogsPerSecond}/s with ${scale.sinkKills} sink kills, ` +
    `${scale.logsPerSecond}/s otherwise, outages ${scale.esDownMs / 1000}/${scale.pgDownMs / 1000}/${scale.faultMs / 1000} s, ` +
    `churn ${scale.churnMs / 1000} s, ${scale.lossLogs.toLocaleString('en')} logs per loss fault`
  );
}

/** A property the fault checks beyond convergence (no 2xx while Kafka was down, ...). */
export interface Check {
  what: string;
  ok: boolean;
  detail: string;
}

export interface FaultOutcome {
  load: LoadFigures;
  acknowledged: ReadonlySet<string>;
  /** Every log made, as sent (id to log). */
  sent: ReadonlyMap<string, Record<string, unknown>>;
  /**
   * Logs taken from a store where the sinks cannot see it: deleted behind LogFlow's back (a
   * fault whose recovery is `reconcile`), or lost on purpose by a self-check.
   */
  hidden?: { store: 'elasticsearch' | 'postgres'; ids: ReadonlySet<string>; how?: 'lost' | 'altered' };
  /** `reconcile`: the designed recovery is a reconcile, not the sinks (default `sinks`). */
  recovery?: 'sinks' | 'reconcile';
  /** The oracle must fail this fault: it proves the oracle can fail. */
  selfCheck?: boolean;
  /** Acknowledged ids that belong in the DLQ rather than in Elasticsearch. */
  deadLettered?: ReadonlySet<string>;
  checks: Check[];
  /** Whether the ingester's ledger count must equal the 2xx answers (not when the ingester is killed). */
  ledgerExact: boolean;
}

export interface FaultRun {
  env: ChaosEnv;
  scale: Scale;
  resourceId: string;
}

export interface Fault {
  name: string;
  run(run: FaultRun): Promise<FaultOutcome>;
}

/** Somewhere in the middle two thirds of `ms`, so kills land at uneven moments. */
const jittered = (ms: number) => ms * (0.66 + Math.random() * 0.66);

function loadFor(
  { env, scale, resourceId }: FaultRun,
  { decorate, logsPerSecond = scale.logsPerSecond }: { decorate?: (log: Record<string, unknown>, sequence: number) => void; logsPerSecond?: number } = {},
): LoadGenerator {
  return env.load({ resourceId, batchSize: 100, concurrency: 4, logsPerSecond, ...(decorate ? { decorate } : {}) });
}

/** Runs load for `ms` while `during` does its harm, then waits for every batch to be acknowledged. */
async function underLoad(run: FaultRun, ms: number, during: (load: LoadGenerator) => Promise<Check[]>): Promise<FaultOutcome> {
  const load = loadFor(run);
  load.start();
  const [checks] = await Promise.all([during(load), sleep(ms)]);
  const figures = await load.finish();
  return { load: figures, acknowledged: load.acknowledged, sent: load.sent, checks, ledgerExact: true };
}

function killSink(role: 'es-sink' | 'pg-sink', name: string): Fault {
  return {
    name,
    async run(run) {
      const load = loadFor(run, { logsPerSecond: run.scale.killLogsPerSecond });
      // Logs flow until after the last kill, however long a replacement takes to start on a loaded machine.
      load.start();
      // Kills at uneven moments while logs flow, each once the last replacement is consuming.
      const spacing = ((run.scale.killLogs / run.scale.killLogsPerSecond) * 1000) / (run.scale.sinkKills + 1);
      for (let i = 0; i < run.scale.sinkKills; i++) {
        await sleep(jittered(spacing / 2));
        await run.env.kill(role);
      }
      const atLastKill = load.acknowledged.size;
      await sleep(jittered(spacing / 2));
      const figures = await load.finish();
      const after = load.acknowledged.size - atLastKill;
      return {
        load: figures,
        acknowledged: load.acknowledged,
        sent: load.sent,
        checks: [
          { what: `${role} killed ${run.scale.sinkKills} times while logs flowed`, ok: atLastKill > 0 && after > 0, detail: `${atLastKill} logs acknowledged before the last SIGKILL, ${after} after` },
        ],
        ledgerExact: true,
      };
    },
  };
}

const ingesterKill: Fault = {
  name: 'SIGKILL the ingester while clients retry with the same ids',
  async run(run) {
    const outcome = await underLoad(run, 5_000 * (run.scale.ingesterKills + 1), async (load) => {
      for (let i = 0; i < run.scale.ingesterKills; i++) {
        await sleep(jittered(5_000));
        await run.env.kill('ingester');
      }
      return [{ what: 'clients had to retry', ok: load.figures().failedAttempts > 0, detail: `${load.figures().failedAttempts} failed attempts retried` }];
    });
    // Counts the ingester had not written to Redis yet die with it.
    return { ...outcome, ledgerExact: false };
  },
};

function kafkaDown(how: 'stop' | 'kill', name: string): Fault {
  return {
    name,
    async run(run) {
      const windows: { from: number; to: number }[] = [];
      const times = how === 'stop' ? run.scale.kafkaRestarts : run.scale.kafkaKills;
      const outcome = await underLoad(run, 3_000, async () => {
        for (let i = 0; i < times; i++) {
          await sleep(3_000);
          await (how === 'stop' ? run.env.kafka.stop() : run.env.kafka.kill());
          // A SIGKILL ends the broker at once: answers to writes it acknowledged just before may still be on their way.
          const from = Date.now() + (how === 'kill' ? 1_000 : 0);
          await sleep(5_000);
          const to = Date.now();
          await run.env.kafka.start();
          windows.push({ from, to });
        }
        return [];
      });
      const during = outcome.load.answeredAt.filter((at) => windows.some((w) => at > w.from && at < w.to)).length;
      outcome.checks.push({ what: 'no 2xx while Kafka was down', ok: during === 0, detail: `${during} 2xx answers in ${windows.length} down windows` });
      return outcome;
    },
  };
}

/** Load starts this long before an outage and goes on this long after it. */
const AROUND_OUTAGE_MS = 3_000;

/** Runs `outage` (which must last `ms`) under load that starts before it and ends after it. */
function outageUnderLoad(run: FaultRun, ms: number, outage: (load: LoadGenerator) => Promise<Check[]>): Promise<FaultOutcome> {
  return underLoad(run, ms + 2 * AROUND_OUTAGE_MS, async (load) => {
    await sleep(AROUND_OUTAGE_MS);
    return outage(load);
  });
}

function esOutage(kind: 'cut' | 'hang', name: string): Fault {
  return {
    name,
    run: (run) =>
      outageUnderLoad(run, run.scale[kind === 'cut' ? 'esDownMs' : 'faultMs'], async (load) => {
        const ms = run.scale[kind === 'cut' ? 'esDownMs' : 'faultMs'];
        const ends = Date.now() + ms;
        if (kind === 'cut') run.env.esDown.cut();
        else run.env.esDown.hang();
        await sleep(1_000);
        const [esBefore, pgBefore] = await Promise.all([elasticsearchCount(run), postgresCount(run)]);
        await sleep(Math.max(0, ends - Date.now() - 500));
        const [esAfter, pgAfter] = await Promise.all([elasticsearchCount(run), postgresCount(run)]);
        await sleep(Math.max(0, ends - Date.now()));
        run.env.esDown.forward(true);
        return [
          // The PG sink does not wait for Elasticsearch (how far it gets depends on the machine, not asserted).
          {
            what: 'Postgres went on storing while Elasticsearch was unreachable',
            ok: pgAfter > pgBefore,
            detail: `${pgAfter - pgBefore} rows added during the outage, ${load.acknowledged.size} logs acknowledged by its end`,
          },
          { what: 'nothing reached Elasticsearch meanwhile', ok: esAfter === esBefore, detail: `${esAfter - esBefore} documents added during the outage` },
        ];
      }),
  };
}

const esThrottled: Fault = {
  name: 'Elasticsearch answering 429',
  run: (run) =>
    outageUnderLoad(run, run.scale.esThrottleMs, async () => {
      const before = run.env.esThrottle.rejected();
      run.env.esThrottle.throttle(true);
      await sleep(run.scale.esThrottleMs);
      run.env.esThrottle.throttle(false);
      const rejected = run.env.esThrottle.rejected() - before;
      return [{ what: 'bulk requests were refused with 429', ok: rejected > 0, detail: `${rejected} bulk requests answered 429` }];
    }),
};

/** Postgres unreachable for `ms` (refused or hung), `alongside` another fault meanwhile: the PG sink must commit nothing during it. */
function pgOutage(kind: 'cut' | 'hang', name: string, alongside?: { start(run: FaultRun): Promise<string>; end(run: FaultRun): Promise<void> }): Fault {
  return {
    name,
    run: (run) => {
      const ms = kind === 'cut' && !alongside ? run.scale.pgDownMs : run.scale.faultMs;
      return outageUnderLoad(run, ms, async () => {
        const ends = Date.now() + ms;
        if (kind === 'cut') run.env.pgDown.cut();
        else run.env.pgDown.hang();
        const other = await alongside?.start(run);
        // A COMMIT already on its way when the connections broke may still land: count from a moment later.
        await sleep(1_000);
        const before = await run.env.ledger();
        const rowsBefore = await postgresCount(run);
        await sleep(Math.max(0, ends - Date.now() - 500));
        const after = await run.env.ledger();
        const rowsAfter = await postgresCount(run);
        await sleep(Math.max(0, ends - Date.now()));
        run.env.pgDown.forward(true);
        await alongside?.end(run);
        const committed = after.postgresWritten - before.postgresWritten + (rowsAfter - rowsBefore);
        return [
          {
            what: 'the PG sink committed nothing while Postgres was unreachable',
            ok: committed === 0,
            detail: `${after.postgresWritten - before.postgresWritten} rows counted, ${rowsAfter - rowsBefore} rows added during the outage`,
          },
          ...(other ? [{ what: 'the second fault happened', ok: true, detail: other }] : []),
        ];
      });
    },
  };
}

/** The ES sink SIGKILLed and left dead until Postgres is back. */
const esSinkDead = {
  async start(run: FaultRun) {
    await run.env.killOnly('es-sink');
    return 'the ES sink SIGKILLed and not restarted while Postgres was down';
  },
  async end(run: FaultRun) {
    await run.env.start('es-sink');
  },
};

const esItemRejections: Fault = {
  name: 'Elasticsearch refusing items with 429 inside 200 bulk answers',
  async run(run) {
    const outcome = await outageUnderLoad(run, run.scale.faultMs, async () => {
      const before = run.env.esThrottle.itemsRejected();
      run.env.esThrottle.rejectItems(() => Math.random() < 0.2);
      await sleep(run.scale.faultMs);
      run.env.esThrottle.rejectItems(undefined);
      const rejected = run.env.esThrottle.itemsRejected() - before;
      return [{ what: 'bulk items were refused with 429 es_rejected_execution_exception in 200 answers', ok: rejected > 0, detail: `${rejected} items refused` }];
    });
    outcome.checks.push(await noneDeadLettered(run, outcome.acknowledged));
    return outcome;
  },
};

const floodStage: Fault = {
  name: "Elasticsearch's flood-stage block (indices read-only, delete allowed)",
  async run(run) {
    const { es, names } = run.env.lf;
    const index = `${names.prefix}-*`;
    const blocked = () =>
      Object.entries(run.env.esThrottle.refusedByElasticsearch())
        .filter(([key]) => key.endsWith('cluster_block_exception'))
        .reduce((sum, [, n]) => sum + n, 0);
    const outcome = await outageUnderLoad(run, run.scale.faultMs, async () => {
      const before = blocked();
      await es.indices.putSettings({ index, settings: { 'index.blocks.read_only_allow_delete': true } });
      await sleep(run.scale.faultMs);
      await es.indices.putSettings({ index, settings: { 'index.blocks.read_only_allow_delete': null } });
      const refused = blocked() - before;
      return [
        {
          what: 'bulk items were refused with cluster_block_exception while blocked',
          ok: refused > 0,
          detail: `${refused} items refused: ${JSON.stringify(run.env.esThrottle.refusedByElasticsearch())}`,
        },
      ];
    });
    outcome.checks.push(await noneDeadLettered(run, outcome.acknowledged));
    return outcome;
  },
};

const redisDown: Fault = {
  name: 'Redis unreachable for the roles',
  run: (run) =>
    outageUnderLoad(run, run.scale.faultMs, async (load) => {
      if (run.env.count('query') === 0) await run.env.start('query');
      const from = Date.now();
      const ends = from + run.scale.faultMs;
      run.env.redisDown.cut();
      // Queued on Redis itself (the test's connection is not cut): the reconciler cannot see it until Redis is back.
      const job = await run.env.lf.queue.add('reconcile', { resourceIds: [run.resourceId] });
      await sleep(run.scale.faultMs / 3);
      const ask = async (path: string) => {
        const response = await fetch(`${run.env.queryUrl}${path}`, { signal: AbortSignal.timeout(10_000) });
        return { status: response.status, body: await response.text() };
      };
      const search = await ask(`/api/logs/search?resourceId=${run.resourceId}`).catch((error: unknown) => ({ status: 0, body: String(error) }));
      const pipeline = await ask('/api/admin/pipeline').catch((error: unknown) => ({ status: 0, body: String(error) }));
      await sleep(Math.max(0, ends - Date.now()));
      const acknowledgedDuring = load.figures().answeredAt.filter((at) => at > from + 1_000 && at < ends).length;
      run.env.redisDown.forward(true);
      const reconciled = await waitFor(async () => (await job.getState()) === 'completed', 60_000);
      return [
        { what: 'the ingester kept acknowledging', ok: acknowledgedDuring > 0, detail: `${acknowledgedDuring} 2xx answers while Redis was unreachable` },
        { what: 'the query service kept searching', ok: search.status === 200, detail: `search answered ${search.status}` },
        {
          what: 'the query service gave its pipeline status, saying what Redis could not give',
          ok: pipeline.status === 200 && /Redis/.test(JSON.stringify((JSON.parse(pipeline.body) as { unavailable?: string[] }).unavailable ?? [])),
          detail: `pipeline status answered ${pipeline.status}: ${pipeline.body.slice(0, 120)}…${pipeline.body.slice(-200)}`,
        },
        { what: 'a reconcile queued meanwhile ran once Redis was back', ok: reconciled, detail: `job ${job.id} ${reconciled ? 'completed' : 'not completed within 60 s'}` },
      ];
    }),
};

const consumerChurn: Fault = {
  name: 'a consumer of each group joining and leaving every 10 s',
  run: (run) =>
    underLoad(run, run.scale.churnMs, async () => {
      let changes = 0;
      const until = Date.now() + run.scale.churnMs - 10_000;
      // A change every 10 s by the clock, however long the last one took to start or stop.
      for (let tick = Date.now() + 10_000; tick < until; tick += 10_000) {
        await sleep(Math.max(0, tick - Date.now()));
        if (run.env.count('es-sink') > 1) await Promise.all([run.env.stopNewest('es-sink'), run.env.stopNewest('pg-sink')]);
        else await Promise.all([run.env.start('es-sink'), run.env.start('pg-sink')]);
        changes++;
      }
      if (run.env.count('es-sink') > 1) await Promise.all([run.env.stopNewest('es-sink'), run.env.stopNewest('pg-sink')]);
      return [{ what: 'consumers joined and left', ok: changes >= 2, detail: `${changes} joins or leaves of each group` }];
    }),
};

const poisonRecord: Fault = {
  name: 'a poison record (mapping conflict) mid-stream',
  async run(run) {
    const middle = Math.floor(run.scale.poisonLogs / 2);
    let poisonId = '';
    // metadata.shape is a number in every other log, so Elasticsearch maps it as one and refuses this.
    const load = loadFor(run, {
      decorate: (log, sequence) => {
        if (sequence !== middle) return;
        (log.metadata as Record<string, unknown>).shape = 'round';
        poisonId = log.id as string;
      },
    });
    load.start(run.scale.poisonLogs);
    const figures = await load.done();
    const deadLettered = new Set([poisonId]);
    const found = await waitFor(async () => {
      const letters = await listDeadLetters(run.env.lf.kafka, run.env.lf.config.kafka.dlqTopic, 1_000);
      return letters.some((letter) => letter.logId === poisonId && letter.sink === 'elasticsearch');
    }, 60_000);
    return {
      load: figures,
      acknowledged: load.acknowledged,
      sent: load.sent,
      deadLettered,
      checks: [{ what: 'the poison record is in the DLQ', ok: found, detail: found ? `${poisonId} dead-lettered by the ES sink` : `${poisonId} not in the DLQ` }],
      ledgerExact: true,
    };
  },
};

/** Bodies the ingester must refuse whole, with the status class each must get. */
function badInputs(resourceId: string, bodyLimit: number): { what: string; body: Buffer | string; headers?: Record<string, string> }[] {
  const log = (extra: Record<string, unknown> = {}) => ({ level: 'info', message: 'bad', timestamp: new Date().toISOString(), resourceId, ...extra });
  let deep: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < 20; i++) deep = { nested: deep };
  const wide = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i]));
  const oversize = JSON.stringify(Array.from({ length: Math.ceil(bodyLimit / 900) + 1 }, () => log({ message: 'x'.repeat(1_000) })));
  // A message string holding 0xC3 0x28: a lead byte without its continuation.
  const invalidUtf8 = Buffer.concat([
    Buffer.from(`{"level":"info","timestamp":"${new Date().toISOString()}","resourceId":"${resourceId}","message":"bad `),
    Buffer.from([0xc3, 0x28]),
    Buffer.from('"}'),
  ]);
  return [
    { what: 'oversize body', body: oversize },
    { what: 'broken JSON', body: `[${JSON.stringify(log())}, {"level":"info","message":` },
    { what: 'depth 21', body: JSON.stringify(log({ metadata: deep })) },
    { what: '1001 keys', body: JSON.stringify(log({ metadata: wide })) },
    { what: '__proto__', body: `{"level":"info","message":"bad","timestamp":"${new Date().toISOString()}","resourceId":"${resourceId}","metadata":{"__proto__":{"admin":true}}}` },
    { what: 'wrong types', body: JSON.stringify([log({ level: 5 }), log({ timestamp: 'yesterday' }), log({ message: { text: 'x' } })]) },
    { what: 'invalid UTF-8', body: invalidUtf8 },
    { what: 'gzip bomb', body: gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20)), headers: { 'content-encoding': 'gzip' } },
  ];
}

const badInput: Fault = {
  name: 'bad inputs',
  async run(run) {
    const before = await run.env.topicEnd();
    const answers: string[] = [];
    let all4xx = true;
    for (const input of badInputs(run.resourceId, run.env.lf.config.ingester.bodyLimitBytes)) {
      const response = await fetch(`${run.env.ingesterUrl}/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...input.headers },
        body: input.body,
      });
      await response.arrayBuffer();
      answers.push(`${input.what} ${response.status}`);
      if (response.status < 400 || response.status >= 500) all4xx = false;
    }
    const after = await run.env.topicEnd();
    return {
      load: { acknowledged: 0, acknowledgedInAnswers: 0, failedAttempts: 0, unansweredLogs: 0, answeredAt: [], latencies: [] },
      acknowledged: new Set(),
      sent: new Map(),
      checks: [
        { what: 'every bad input got a 4xx', ok: all4xx, detail: answers.join(', ') },
        { what: "Kafka's end offsets unchanged", ok: after === before, detail: `${before} before, ${after} after` },
      ],
      ledgerExact: true,
    };
  },
};

async function postgresCount(run: FaultRun): Promise<number> {
  const result = await run.env.lf.pool.query<{ n: string }>('SELECT count(*) AS n FROM logs WHERE resource_id = $1', [run.resourceId]);
  return Number(result.rows[0]!.n);
}

async function elasticsearchCount(run: FaultRun): Promise<number> {
  const { es, names } = run.env.lf;
  await es.indices.refresh({ index: names.readAlias, ignore_unavailable: true, allow_no_indices: true });
  return (await es.count({ index: names.readAlias, ignore_unavailable: true, allow_no_indices: true, query: { term: { resourceId: run.resourceId } } })).count;
}

/** None of the logs is in the DLQ: a refusal that passes (429, a block) must be retried, not dead-lettered. */
async function noneDeadLettered(run: FaultRun, ids: ReadonlySet<string>): Promise<Check> {
  const letters = await listDeadLetters(run.env.lf.kafka, run.env.lf.config.kafka.dlqTopic, 100_000);
  const ours = letters.filter((letter) => ids.has(letter.logId ?? '')).length;
  return { what: 'nothing dead-lettered', ok: ours === 0, detail: `${ours} of the acknowledged logs in the DLQ` };
}

/** Sends `scale.lossLogs` logs and waits until both sinks have passed them. */
async function loadThenCaughtUp(run: FaultRun): Promise<{ load: LoadGenerator; figures: LoadFigures; caughtUp: Check }> {
  const load = loadFor(run);
  load.start(run.scale.lossLogs);
  const figures = await load.done();
  const caughtUp = await run.env.sinksCaughtUp(120_000);
  return { load, figures, caughtUp: { what: 'both sinks had passed every log first', ok: caughtUp, detail: caughtUp ? 'yes' : 'not within 120 s' } };
}

const documentsDeleted: Fault = {
  name: "1 % of the documents deleted from Elasticsearch behind LogFlow's back",
  async run(run) {
    const { load, figures, caughtUp } = await loadThenCaughtUp(run);
    const { es, names } = run.env.lf;
    await eventually(async () => ((await elasticsearchCount(run)) === load.acknowledged.size ? true : undefined), 60_000, 500).catch(() => undefined);
    const ids = [...load.acknowledged].filter((_, i) => i % 100 === 7);
    // Found by their `id` field, deleted where they are (delete-by-query is a module some builds lack).
    const docs = await es.search({ index: names.readAlias, size: ids.length, _source: false, query: { terms: { id: ids } } });
    const answer = await es.bulk({ refresh: true, operations: docs.hits.hits.map((hit) => ({ delete: { _index: hit._index, _id: hit._id! } })) });
    const deleted = { deleted: answer.items.filter((item) => item.delete?.status === 200).length };
    return {
      load: figures,
      acknowledged: load.acknowledged,
      sent: load.sent,
      hidden: { store: 'elasticsearch', ids: new Set(ids) },
      recovery: 'reconcile',
      checks: [caughtUp, { what: 'the documents were deleted', ok: deleted.deleted === ids.length, detail: `${deleted.deleted} of ${ids.length} deleted` }],
      ledgerExact: true,
    };
  },
};

const indexDeleted: Fault = {
  name: "a daily index deleted behind LogFlow's back",
  async run(run) {
    const { load, figures, caughtUp } = await loadThenCaughtUp(run);
    const { es, names } = run.env.lf;
    await eventually(async () => ((await elasticsearchCount(run)) === load.acknowledged.size ? true : undefined), 60_000, 500).catch(() => undefined);
    const found = await es.search({
      index: names.readAlias,
      size: 0,
      query: { term: { resourceId: run.resourceId } },
      aggs: { indices: { terms: { field: '_index', size: 10 } } },
    });
    const indices = (found.aggregations?.indices as { buckets: { key: string }[] }).buckets.map((bucket) => bucket.key);
    await es.indices.delete({ index: indices });
    return {
      load: figures,
      acknowledged: load.acknowledged,
      sent: load.sent,
      hidden: { store: 'elasticsearch', ids: new Set(load.acknowledged) },
      recovery: 'reconcile',
      checks: [caughtUp, { what: 'the daily index holding the logs was deleted', ok: indices.length > 0, detail: indices.join(', ') }],
      ledgerExact: true,
    };
  },
};

/** About 1.2 % of ids: those whose last two hex digits are below 03. */
const OneInEighty = { js: (id: string) => Number.parseInt(id.slice(-2), 16) < 3, sql: `right(NEW.id::text, 2) < '03'` };

const selfCheckElasticsearch: Fault = {
  name: 'self-check: the ES proxy acknowledges ~1 % of bulk items without forwarding them',
  async run(run) {
    run.env.esThrottle.dropItems({ resourceId: run.resourceId, pick: OneInEighty.js });
    try {
      const { load, figures, caughtUp } = await loadThenCaughtUp(run);
      const ids = new Set([...run.env.esThrottle.dropped()].filter((id) => load.acknowledged.has(id)));
      return { load: figures, acknowledged: load.acknowledged, sent: load.sent, hidden: { store: 'elasticsearch', ids }, selfCheck: true, checks: [caughtUp], ledgerExact: true };
    } finally {
      run.env.esThrottle.dropItems(undefined);
    }
  },
};

const selfCheckContent: Fault = {
  name: 'self-check: the ES proxy drops metadata and truncates the message of ~1.2 % of bulk items',
  async run(run) {
    run.env.esThrottle.alterItems({ resourceId: run.resourceId, pick: OneInEighty.js });
    try {
      const { load, figures, caughtUp } = await loadThenCaughtUp(run);
      const ids = new Set([...run.env.esThrottle.altered()].filter((id) => load.acknowledged.has(id)));
      return { load: figures, acknowledged: load.acknowledged, sent: load.sent, hidden: { store: 'elasticsearch', ids, how: 'altered' }, selfCheck: true, checks: [caughtUp], ledgerExact: true };
    } finally {
      run.env.esThrottle.alterItems(undefined);
    }
  },
};

const selfCheckPostgres: Fault = {
  name: "self-check: a trigger deletes ~1 % of the PG sink's rows as they are written",
  async run(run) {
    const { pool, config } = run.env.lf;
    const schema = `"${config.postgres.schema}"`;
    // The sink's transaction commits, its offset moves on, and the row is gone: loss it cannot see.
    await pool.query(`
      CREATE TABLE IF NOT EXISTS ${schema}.chaos_dropped (id uuid PRIMARY KEY);
      CREATE OR REPLACE FUNCTION ${schema}.chaos_drop() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM ${schema}.logs WHERE id = NEW.id AND timestamp = NEW.timestamp;
        INSERT INTO ${schema}.chaos_dropped VALUES (NEW.id) ON CONFLICT DO NOTHING;
        RETURN NULL;
      END $$;
      CREATE TRIGGER chaos_drop AFTER INSERT ON ${schema}.logs FOR EACH ROW
        WHEN (NEW.resource_id = '${run.resourceId}' AND ${OneInEighty.sql}) EXECUTE FUNCTION ${schema}.chaos_drop();
    `);
    try {
      const { load, figures, caughtUp } = await loadThenCaughtUp(run);
      const dropped = await pool.query<{ id: string }>(`SELECT id FROM ${schema}.chaos_dropped`);
      const ids = new Set(dropped.rows.map((row) => row.id).filter((id) => load.acknowledged.has(id)));
      return { load: figures, acknowledged: load.acknowledged, sent: load.sent, hidden: { store: 'postgres', ids }, selfCheck: true, checks: [caughtUp], ledgerExact: true };
    } finally {
      await pool.query(`DROP TRIGGER IF EXISTS chaos_drop ON ${schema}.logs; DROP TABLE IF EXISTS ${schema}.chaos_dropped`);
    }
  },
};

async function waitFor(probe: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await probe().catch(() => false)) return true;
    if (Date.now() > deadline) return false;
    await sleep(500);
  }
}

/** The faults, in the order of docs/reliability.md: the sinks' own recovery first, then reconcile's, then the self-checks. */
export const FAULTS: Fault[] = [
  killSink('es-sink', 'SIGKILL the ES sink mid-batch'),
  killSink('pg-sink', 'SIGKILL the PG sink mid-transaction'),
  ingesterKill,
  kafkaDown('stop', 'stop and start Kafka under load'),
  kafkaDown('kill', 'SIGKILL Kafka under load'),
  esOutage('cut', 'Elasticsearch down'),
  esOutage('hang', 'the network to Elasticsearch hangs (no refusal, no close)'),
  esThrottled,
  esItemRejections,
  floodStage,
  pgOutage('cut', 'Postgres down'),
  pgOutage('hang', 'the network to Postgres hangs (no refusal, no close)'),
  pgOutage('cut', 'Postgres down while the ES sink is dead', esSinkDead),
  redisDown,
  consumerChurn,
  poisonRecord,
  badInput,
  documentsDeleted,
  indexDeleted,
  selfCheckElasticsearch,
  selfCheckContent,
  selfCheckPostgres,
];
