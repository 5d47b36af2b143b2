import { listDeadLetters } from '@logflow/sinks/dlq-reader';
import { gzipSync } from 'node:zlib';
import type { ChaosEnv } from './chaos-env.ts';
import type { LoadFigures, LoadGenerator } from './load-generator.ts';

/** How big a run is: `full` is `npm run chaos`, `quick` the subset inside `npm test`. */
export interface Scale {
  name: 'full' | 'quick';
  /** Logs sent during each kill fault (1 and 2), spread over the kills (a kill and a rejoin take ~15 s). */
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
};

export const QUICK: Scale = {
  name: 'quick',
  killLogs: 6_000,
  sinkKills: 2,
  killLogsPerSecond: 150,
  ingesterKills: 2,
  kafkaRestarts: 1,
  esDownMs: 15_000,
  esThrottleMs: 15_000,
  pgDownMs: 15_000,
  churnMs: 40_000,
  poisonLogs: 5_000,
  logsPerSecond: 1_500,
};

/** A property the fault checks beyond convergence (no 2xx while Kafka was down, ...). */
export interface Check {
  what: string;
  ok: boolean;
  detail: string;
}

export interface FaultOutcome {
  load: LoadFigures;
  acknowledged: ReadonlySet<string>;
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
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
  return { load: figures, acknowledged: load.acknowledged, checks, ledgerExact: true };
}

function killSink(role: 'es-sink' | 'pg-sink', name: string): Fault {
  return {
    name,
    async run(run) {
      const load = loadFor(run, { logsPerSecond: run.scale.killLogsPerSecond });
      load.start(run.scale.killLogs);
      // Kills at uneven moments while logs flow, each once the last replacement is consuming.
      const spacing = (run.scale.killLogs / run.scale.killLogsPerSecond) * 1000 / (run.scale.sinkKills + 1);
      let kills = 0;
      const loadEnds = load.done();
      let loading = true;
      const ended = () => (loading = false);
      loadEnds.then(ended, ended);
      while (kills < run.scale.sinkKills && loading) {
        await sleep(jittered(spacing / 2));
        if (!loading) break;
        await run.env.kill(role);
        kills++;
      }
      const figures = await loadEnds;
      return {
        load: figures,
        acknowledged: load.acknowledged,
        checks: [{ what: `${role} killed while logs flowed`, ok: kills === run.scale.sinkKills, detail: `${kills} of ${run.scale.sinkKills} SIGKILLs before the last log was acknowledged` }],
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

const kafkaRestarts: Fault = {
  name: 'stop and start Kafka under load',
  async run(run) {
    const windows: { from: number; to: number }[] = [];
    const outcome = await underLoad(run, 3_000, async () => {
      for (let i = 0; i < run.scale.kafkaRestarts; i++) {
        await sleep(3_000);
        await run.env.kafka.stop();
        const from = Date.now();
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

/** Load starts this long before an outage and goes on this long after it. */
const AROUND_OUTAGE_MS = 3_000;

/** Runs `outage` (which must last `ms`) under load that starts before it and ends after it. */
function outageUnderLoad(run: FaultRun, ms: number, outage: (load: LoadGenerator) => Promise<Check[]>): Promise<FaultOutcome> {
  return underLoad(run, ms + 2 * AROUND_OUTAGE_MS, async (load) => {
    await sleep(AROUND_OUTAGE_MS);
    return outage(load);
  });
}

const esDown: Fault = {
  name: 'Elasticsearch down',
  run: (run) =>
    outageUnderLoad(run, run.scale.esDownMs, async (load) => {
      const ends = Date.now() + run.scale.esDownMs;
      run.env.esDown.cut();
      // Postgres keeps up meanwhile: what was acknowledged by mid-outage is there before the outage ends.
      await sleep(run.scale.esDownMs / 2);
      const early = load.acknowledged.size;
      const postgresKeptUp = await waitFor(async () => (await postgresCount(run)) >= early, ends - Date.now() - 1_000);
      await sleep(Math.max(0, ends - Date.now()));
      run.env.esDown.forward(true);
      return [{ what: 'Postgres kept up while Elasticsearch was down', ok: postgresKeptUp, detail: `${early} logs acknowledged mid-outage ${postgresKeptUp ? 'were' : 'were not'} in Postgres before it ended` }];
    }),
};

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

const pgDown: Fault = {
  name: 'Postgres down',
  run: (run) =>
    outageUnderLoad(run, run.scale.pgDownMs, async () => {
      const ends = Date.now() + run.scale.pgDownMs;
      run.env.pgDown.cut();
      // A COMMIT already on its way when the connections broke may still land: count from a moment later.
      await sleep(1_000);
      const before = await run.env.ledger();
      const rowsBefore = await postgresCount(run);
      await sleep(ends - Date.now() - 500);
      const after = await run.env.ledger();
      const rowsAfter = await postgresCount(run);
      await sleep(Math.max(0, ends - Date.now()));
      run.env.pgDown.forward(true);
      const committed = after.postgresWritten - before.postgresWritten + (rowsAfter - rowsBefore);
      return [{ what: 'the PG sink committed nothing while Postgres was down', ok: committed === 0, detail: `${after.postgresWritten - before.postgresWritten} rows counted, ${rowsAfter - rowsBefore} rows added during the outage` }];
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
      load: { acknowledged: 0, acknowledgedInAnswers: 0, failedAttempts: 0, answeredAt: [], latencies: [] },
      acknowledged: new Set(),
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

async function waitFor(probe: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await probe().catch(() => false)) return true;
    if (Date.now() > deadline) return false;
    await sleep(500);
  }
}

/** The ten faults of the reliability issue, in its order. */
export const FAULTS: Fault[] = [
  killSink('es-sink', 'SIGKILL the ES sink mid-batch'),
  killSink('pg-sink', 'SIGKILL the PG sink mid-transaction'),
  ingesterKill,
  kafkaRestarts,
  esDown,
  esThrottled,
  pgDown,
  consumerChurn,
  poisonRecord,
  badInput,
];
