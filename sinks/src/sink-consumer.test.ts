import { Writable } from 'node:stream';
import { setImmediate as turn, setTimeout as sleep } from 'node:timers/promises';
import type { Batch } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, createLogger } from '@logflow/core';
import { FakeConsumer, fakeBatch, fakeKafka } from './test-helper.ts';
import { runSinkConsumer, type Seek, type SinkOptions } from './sink-consumer.ts';

// The shortest session Kafka allows: the runner heart-beats every 1.2 s while a batch waits for room.
const config = loadConfig({ SINK_SESSION_TIMEOUT_MS: '6000' });
const topic = config.kafka.topic;
const keyOf = (batch: Batch) => `${batch.partition}@${batch.firstOffset()}`;
/** A write's key: its batches' keys, joined by '+' when it merged several. */
const keyOfAll = (batches: Batch[]) => batches.map(keyOf).join('+');

/**
 * A store whose writes the test finishes or fails one by one, the oldest running write of a
 * batch first. `written` is what it holds, in the order it took it; `attempts` every write
 * begun, in order.
 */
class Store {
  readonly written: string[] = [];
  readonly attempts: string[] = [];
  private readonly open: { key: string; resolve(): void; reject(error: Error): void }[] = [];
  private readonly waiters: (() => void)[] = [];

  write(batches: Batch[]): Promise<void> {
    const key = keyOfAll(batches);
    this.attempts.push(key);
    for (const wake of this.waiters.splice(0)) wake();
    return new Promise<void>((resolve, reject) => this.open.push({ key, resolve, reject })).then(() => void this.written.push(key));
  }

  /** Writes begun and not finished yet. */
  get running(): string[] {
    return this.open.map((w) => w.key);
  }

  /** Resolves once `key` has been attempted `times` times. */
  async attempted(key: string, times = 1): Promise<void> {
    while (this.attempts.filter((a) => a === key).length < times) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  finish(key: string): void {
    this.settle(key).resolve();
  }

  fail(key: string): void {
    this.settle(key).reject(new Error(`store refused ${key}`));
  }

  private settle(key: string) {
    const at = this.open.findIndex((w) => w.key === key);
    if (at === -1) throw new Error(`no write of ${key} is running (running: ${this.running.join(', ')})`);
    return this.open.splice(at, 1)[0]!;
  }
}

/** Lets every promise callback and I/O callback that is ready run: what the runner would start on its own has started. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await turn();
}

/** Resolves once `check` holds, letting the runner's timers (retry backoff, commit chain) run meanwhile. */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await sleep(5);
}

interface Runner {
  /** Where its /healthz and /metrics answer. */
  base: string;
  consumer: FakeConsumer;
  store: Store;
  logs: { level: number; msg: string }[];
  stop(): Promise<void>;
  seek: () => Seek;
}

const running: Runner[] = [];
afterEach(async () => {
  // A stop waits for the writes handed over: the store finishes whatever the test left running.
  for (const runner of running.splice(0)) {
    let stopped = false;
    const stopping = runner.stop().then(() => (stopped = true));
    while (!stopped) {
      for (const key of runner.store.running) runner.store.finish(key);
      await sleep(5);
    }
    await stopping;
  }
});

async function startRunner(options: Partial<SinkOptions> = {}): Promise<Runner> {
  const consumer = new FakeConsumer();
  const store = new Store();
  const logs: { level: number; msg: string }[] = [];
  const logger = createLogger({ logLevel: 'info' }, 'test', new Writable({ write: (chunk, _encoding, done) => (logs.push(JSON.parse(String(chunk)) as { level: number; msg: string }), done()) }));
  let seek: Seek | undefined;
  const stopRunner = await runSinkConsumer(config, logger, {
    role: 'test-sink',
    groupId: 'test-group',
    http: { host: '127.0.0.1', port: 0 },
    kafka: fakeKafka(consumer),
    maxBytesPerPartition: 1024,
    maxBytes: 4096,
    backlogBytes: 1_000,
    commitIntervalMs: 0,
    prepareWrite: (batches) => () => store.write(batches),
    onAssignment: (given) => void (seek = given),
    ...options,
  });
  let stopped: Promise<void> | undefined;
  // Port 0: the address is the one fastify logs once it listens.
  const listening = logs.map((l) => /^Server listening at (http:\/\/127\.0\.0\.1:\d+)$/.exec(l.msg)?.[1]).find(Boolean);
  if (!listening) throw new Error('the runner did not log its address');
  const runner: Runner = {
    base: listening,
    consumer,
    store,
    logs,
    stop: () => (stopped ??= stopRunner()),
    seek: () =>
      seek ??
      (() => {
        throw new Error('no assignment yet');
      }),
  };
  running.push(runner);
  consumer.join(topic, [0, 1]);
  return runner;
}

describe('the sink consumer runner, with a fake consumer', () => {
  it('resolves each batch it takes, so the fetch position moves on while the batch is written', async () => {
    const { consumer, store } = await startRunner();
    expect(await consumer.deliver(fakeBatch(topic, 0, 0, 10))).toBe('9');
    await settle();
    expect(store.running).toEqual(['0@0']);
    expect(consumer.commits).toEqual([]);
  });

  describe('commits', () => {
    it('commit a partition only past batches that are written, whatever order the writes finish in', async () => {
      const { consumer, store } = await startRunner();
      for (const first of [0, 10, 20]) await consumer.deliver(fakeBatch(topic, 0, first, 10));
      await settle();
      expect(store.running).toEqual(['0@0', '0@10', '0@20']);

      store.finish('0@20');
      store.finish('0@10');
      await settle();
      expect(consumer.commits).toEqual([]);

      store.finish('0@0');
      await until(() => consumer.commits.length > 0);
      expect(consumer.commits).toEqual(['0:30']);
    });

    it('never commit past a batch whose write failed: it is retried, and the commit follows once it is written', async () => {
      const { consumer, store } = await startRunner();
      await consumer.deliver(fakeBatch(topic, 1, 0, 5));
      await consumer.deliver(fakeBatch(topic, 1, 5, 5));
      await settle();
      store.finish('1@5');
      store.fail('1@0');
      await store.attempted('1@0', 2);
      expect(consumer.commits).toEqual([]);

      store.finish('1@0');
      await until(() => consumer.commits.length > 0);
      expect(store.written).toEqual(['1@5', '1@0']);
      expect(consumer.commits).toEqual(['1:10']);
    });

    it('keep partitions apart: a partition still writing does not hold back another', async () => {
      const { consumer, store } = await startRunner();
      await consumer.deliver(fakeBatch(topic, 0, 0, 5));
      await consumer.deliver(fakeBatch(topic, 1, 40, 5));
      await settle();
      store.finish('1@40');
      await until(() => consumer.commits.length > 0);
      expect(consumer.commits).toEqual(['1:45']);
    });

    it('never commit past a batch whose write threw a bug, and go on with the next batches', async () => {
      const { consumer, store, logs } = await startRunner({
        prepareWrite: (batches) => {
          if (keyOfAll(batches) === '0@0') throw new TypeError('a bug in the sink');
          return () => store.write(batches);
        },
      });
      await consumer.deliver(fakeBatch(topic, 0, 0, 5));
      await consumer.deliver(fakeBatch(topic, 0, 5, 5));
      await consumer.deliver(fakeBatch(topic, 1, 0, 5));
      await settle();
      store.finish('0@5');
      store.finish('1@0');
      await until(() => consumer.commits.length > 0);
      await settle();
      expect(store.written).toEqual(['0@5', '1@0']);
      expect(consumer.commits).toEqual(['1:5']);
      expect(logs).toContainEqual(expect.objectContaining({ level: 50, msg: 'background write failed' }));
    });

    it('commit nothing for batches handed over before a rebalance: the partitions restart from the committed offsets', async () => {
      const { consumer, store } = await startRunner();
      await consumer.deliver(fakeBatch(topic, 0, 0, 5));
      await settle();
      consumer.join(topic, [0]);
      // The group hands the same records over again while the first write of them still runs.
      await consumer.deliver(fakeBatch(topic, 0, 0, 5));
      await store.attempted('0@0', 2);
      store.finish('0@0');
      await settle();
      expect(store.written).toEqual(['0@0']);
      expect(consumer.commits).toEqual([]);

      store.finish('0@0');
      await until(() => consumer.commits.length > 0);
      expect(consumer.commits).toEqual(['0:5']);
    });

    it('commit nothing for batches handed over before a seek of their partition', async () => {
      const { consumer, store, seek } = await startRunner();
      await consumer.deliver(fakeBatch(topic, 0, 0, 5));
      await settle();
      seek()(0, '0');
      await consumer.deliver(fakeBatch(topic, 0, 0, 5));
      await store.attempted('0@0', 2);
      store.finish('0@0');
      await settle();
      expect(consumer.actions).toEqual(['seek 0:0']);

      store.finish('0@0');
      await until(() => consumer.commits.length > 0);
      expect(consumer.actions).toEqual(['seek 0:0', 'commit 0:5']);
    });

    it('goes on after a commit Kafka refused, reports it, and a later commit carries the partition past it', async () => {
      const { consumer, store, logs } = await startRunner();
      consumer.failingCommits.push(new Error('NOT_COORDINATOR_FOR_GROUP'));
      await consumer.deliver(fakeBatch(topic, 0, 0, 5));
      await settle();
      store.finish('0@0');
      await until(() => consumer.actions.length > 0);
      await settle();
      expect(logs).toContainEqual(expect.objectContaining({ level: 40, msg: 'commit failed; the records after the last commit will be written again' }));

      await consumer.deliver(fakeBatch(topic, 0, 5, 5));
      await settle();
      store.finish('0@5');
      await until(() => consumer.commits.length > 0);
      expect(consumer.actions).toEqual(['failed commit 0:5', 'commit 0:10']);
    });
  });

  describe('in order per partition (the Postgres sink)', () => {
    it("writes a partition's batches one after the other in offset order, partitions side by side", async () => {
      const { consumer, store } = await startRunner({ inOrderPerPartition: true });
      for (const first of [0, 10, 20]) await consumer.deliver(fakeBatch(topic, 0, first, 10));
      await consumer.deliver(fakeBatch(topic, 1, 0, 10));
      await settle();
      expect(store.running).toEqual(['0@0', '1@0']);

      store.finish('0@0');
      await settle();
      expect(store.running).toEqual(['1@0', '0@10']);
      store.finish('0@10');
      await settle();
      store.finish('0@20');
      store.finish('1@0');
      await until(() => consumer.commits.includes('0:30') && consumer.commits.includes('1:10'));
      expect(store.written).toEqual(['0@0', '0@10', '0@20', '1@0']);
    });

    it('does not start the next batch of a partition while the one before it is retried', async () => {
      const { consumer, store } = await startRunner({ inOrderPerPartition: true });
      await consumer.deliver(fakeBatch(topic, 0, 0, 10));
      await consumer.deliver(fakeBatch(topic, 0, 10, 10));
      await settle();
      store.fail('0@0');
      await store.attempted('0@0', 2);
      await settle();
      expect(store.attempts).toEqual(['0@0', '0@0']);
      store.finish('0@0');
      await store.attempted('0@10');
      store.finish('0@10');
      await until(() => consumer.commits.includes('0:20'));
      expect(store.written).toEqual(['0@0', '0@10']);
    });
    it("goes on with a partition's next batch after one whose write threw a bug, committing nothing past the broken one", async () => {
      const { consumer, store, logs } = await startRunner({
        inOrderPerPartition: true,
        prepareWrite: (batches) => {
          if (keyOfAll(batches) === '0@0') throw new TypeError('a bug in the sink');
          return () => store.write(batches);
        },
      });
      await consumer.deliver(fakeBatch(topic, 0, 0, 10));
      await consumer.deliver(fakeBatch(topic, 0, 10, 10));
      await store.attempted('0@10');
      store.finish('0@10');
      await settle();
      expect(store.written).toEqual(['0@10']);
      expect(consumer.commits).toEqual([]);
      expect(logs).toContainEqual(expect.objectContaining({ level: 50, msg: 'background write failed' }));
    });
  });

  describe('merging the waiting batches into one write (both sinks)', () => {
    it("writes the batches of one fetch, every partition's, as one write and commits each partition past it", async () => {
      const { consumer, store } = await startRunner({ merge: { writesInFlight: 2 } });
      await consumer.deliver(fakeBatch(topic, 0, 0, 10));
      await consumer.deliver(fakeBatch(topic, 1, 0, 5));
      await store.attempted('0@0+1@0');
      expect(store.running).toEqual(['0@0+1@0']);
      expect(consumer.commits).toEqual([]);

      store.finish('0@0+1@0');
      await until(() => consumer.commits.length > 0);
      expect(consumer.actions).toEqual(['commit 0:10 1:5']);
    });

    it('gathers what arrives while the writes in flight run into the next write, in the order handed over', async () => {
      const { consumer, store } = await startRunner({ merge: { writesInFlight: 1 } });
      await consumer.deliver(fakeBatch(topic, 0, 0, 5));
      await store.attempted('0@0');
      for (const [partition, first] of [
        [0, 5],
        [1, 0],
        [0, 10],
      ] as const) {
        await consumer.deliver(fakeBatch(topic, partition, first, 5));
        await settle();
      }
      expect(store.running).toEqual(['0@0']);

      store.finish('0@0');
      await store.attempted('0@5+1@0+0@10');
      store.finish('0@5+1@0+0@10');
      await until(() => consumer.commits.includes('0:15') && consumer.commits.includes('1:5'));
      expect(store.written).toEqual(['0@0', '0@5+1@0+0@10']);
    });

    it('retries a failed write as a whole and commits none of its partitions until it is written', async () => {
      const { consumer, store } = await startRunner({ merge: { writesInFlight: 2 } });
      await consumer.deliver(fakeBatch(topic, 0, 0, 5));
      await consumer.deliver(fakeBatch(topic, 1, 0, 5));
      await store.attempted('0@0+1@0');
      store.fail('0@0+1@0');
      await store.attempted('0@0+1@0', 2);
      expect(consumer.commits).toEqual([]);
      store.finish('0@0+1@0');
      await until(() => consumer.commits.length > 0);
      expect(consumer.actions).toEqual(['commit 0:5 1:5']);
    });

    it('in order per partition, starts a write only after the previous write of each of its partitions, though it is prepared before', async () => {
      const prepared: string[] = [];
      const { consumer, store } = await startRunner({
        inOrderPerPartition: true,
        merge: { writesInFlight: 2 },
        prepareWrite: (batches) => {
          prepared.push(keyOfAll(batches));
          return () => store.write(batches);
        },
      });
      await consumer.deliver(fakeBatch(topic, 0, 0, 5));
      await store.attempted('0@0');
      await consumer.deliver(fakeBatch(topic, 0, 5, 5));
      await consumer.deliver(fakeBatch(topic, 1, 0, 5));
      await until(() => prepared.length === 2);
      await settle();
      expect(store.attempts).toEqual(['0@0']);

      store.finish('0@0');
      await store.attempted('0@5+1@0');
      store.finish('0@5+1@0');
      await until(() => consumer.commits.includes('0:10') && consumer.commits.includes('1:5'));
      expect(store.written).toEqual(['0@0', '0@5+1@0']);
    });

    it('leaves out of a write, and commits nothing for, the batches of a partition sought elsewhere meanwhile; the others are written and committed', async () => {
      const offered: string[][] = [];
      const { consumer, store, seek } = await startRunner({
        inOrderPerPartition: true,
        merge: { writesInFlight: 2 },
        prepareWrite: (batches) => (wanted) => {
          const current = batches.filter(wanted);
          offered.push(current.map(keyOf));
          return store.write(current);
        },
      });
      await consumer.deliver(fakeBatch(topic, 0, 0, 5));
      await store.attempted('0@0');
      await consumer.deliver(fakeBatch(topic, 0, 5, 5));
      await consumer.deliver(fakeBatch(topic, 1, 0, 5));
      await settle();
      // Partition 0 goes back while its second batch waits behind the first write.
      seek()(0, '0');
      store.finish('0@0');
      await store.attempted('1@0');
      store.finish('1@0');
      await until(() => consumer.commits.length > 0);
      await settle();
      expect(offered).toEqual([['0@0'], ['1@0']]);
      expect(consumer.actions).toEqual(['seek 0:0', 'commit 1:5']);
    });
  });

  describe('backpressure', () => {
    it('takes no more batches than the backlog holds: the next waits, unresolved, until a write frees room', async () => {
      const { consumer, store } = await startRunner({ backlogBytes: 100 });
      expect(await consumer.deliver(fakeBatch(topic, 0, 0, 6))).toBe('5');
      let second: string | undefined = 'waiting';
      const delivered = consumer.deliver(fakeBatch(topic, 0, 6, 6)).then((offset) => (second = offset));
      await settle();
      expect(second).toBe('waiting');
      expect(store.attempts).toEqual(['0@0']);

      store.finish('0@0');
      await delivered;
      expect(second).toBe('11');
      await store.attempted('0@6');
    });

    it('gives a waiting batch back unresolved when the consumer stops meanwhile: it comes again', async () => {
      const { consumer, store } = await startRunner({ backlogBytes: 100 });
      await consumer.deliver(fakeBatch(topic, 0, 0, 6));
      const waiting = consumer.deliver(fakeBatch(topic, 0, 6, 6));
      await settle();
      consumer.stopRunning();
      expect(await waiting).toBeUndefined();
      store.finish('0@0');
      await until(() => consumer.commits.length > 0);
      await settle();
      expect(store.attempts).toEqual(['0@0']);
      expect(consumer.commits).toEqual(['0:6']);
    });

    it('gives a waiting batch back unresolved when the coordinator says the group is rebalancing', async () => {
      const { consumer, store } = await startRunner({ backlogBytes: 100 });
      expect(consumer.config?.heartbeatInterval).toBeGreaterThan(0);
      await consumer.deliver(fakeBatch(topic, 0, 0, 6));
      consumer.heartbeat = () => Promise.reject(Object.assign(new Error('rebalancing'), { type: 'REBALANCE_IN_PROGRESS' }));
      expect(await consumer.deliver(fakeBatch(topic, 0, 6, 6))).toBeUndefined();
      expect(store.attempts).toEqual(['0@0']);
    });
  });

  describe('stop', () => {
    it('pauses, finishes and commits what was handed over, then leaves the group', async () => {
      const runner = await startRunner();
      const { consumer, store } = runner;
      await consumer.deliver(fakeBatch(topic, 0, 0, 5));
      await consumer.deliver(fakeBatch(topic, 1, 0, 5));
      await settle();
      let stopped = false;
      const stopping = runner.stop().then(() => (stopped = true));
      await settle();
      expect(consumer.actions).toEqual(['pause']);
      expect(stopped).toBe(false);

      store.finish('0@0');
      store.finish('1@0');
      await stopping;
      expect(consumer.actions.at(0)).toBe('pause');
      expect(consumer.actions.at(-1)).toBe('disconnect');
      expect(consumer.commits.sort()).toEqual(['0:5', '1:5']);
    });

    it('gives up on a write still failing after the grace period: nothing past it is committed', async () => {
      const runner = await startRunner({ stopGraceMs: 0 });
      const { consumer, store } = runner;
      await consumer.deliver(fakeBatch(topic, 0, 0, 5));
      await settle();
      store.fail('0@0');
      await runner.stop();
      expect(store.written).toEqual([]);
      expect(consumer.actions).toEqual(['pause', 'disconnect']);
    });
  });

  describe('/healthz and /metrics', () => {
    it('is ok while writing, degraded naming the error while a write fails, and ok again once it succeeds', async () => {
      const { base, consumer, store } = await startRunner();
      const health = async () => {
        const response = await fetch(`${base}/healthz`);
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      };
      expect(await health()).toEqual({
        status: 200,
        body: { status: 'ok', groupId: 'test-group', consumer: 'running', partitions: [0, 1], lastWriteAt: null, failingSince: null, lastError: null },
      });
      await consumer.deliver(fakeBatch(topic, 0, 0, 5));
      await settle();
      store.fail('0@0');
      await store.attempted('0@0', 2);
      expect(await health()).toMatchObject({ status: 200, body: { status: 'degraded', lastError: 'store refused 0@0', failingSince: expect.any(String) } });

      store.finish('0@0');
      await until(() => consumer.commits.length > 0);
      expect(await health()).toMatchObject({ status: 200, body: { status: 'ok', failingSince: null, lastWriteAt: expect.any(String) } });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/^logflow_sink_write_failures_total\{role="test-sink"\} 1$/m);
      expect(metrics).toMatch(/^logflow_sink_group_joins_total\{role="test-sink"\} 1$/m);
      expect(metrics).toMatch(/^logflow_sink_batch_records_count\{role="test-sink"\} 1$/m);
    });

    it('is down (503) once the consumer crashed for good, not while kafkajs restarts it', async () => {
      const { base, consumer } = await startRunner();
      consumer.crash(new Error('broker gone'), true);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      consumer.crash(new Error('broker gone'), false);
      const response = await fetch(`${base}/healthz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ status: 'down', consumer: 'crashed' });
    });
  });
});
