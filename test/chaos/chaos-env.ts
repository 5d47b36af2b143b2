import { createLogger, createRedis, type LedgerCounts, ledgerKey, logsWritten, readLedger, type ReconcileResult, sampleTopicEnd, sinkPositions, sinksPassed } from '@logflow/core';
import type { Redis } from 'ioredis';
import { startThrottleProxy, type ThrottleProxy } from '../es-throttle-proxy.ts';
import { freePorts } from '../free-ports.ts';
import { createInstallation, type Installation } from '../installation.ts';
import { eventually, startRole, type RunningRole } from '../roles.ts';
import { startTcpProxy, type TcpProxy } from '../tcp-proxy.ts';
import { LoadGenerator, type LoadOptions } from './load-generator.ts';
import { privateKafka, type PrivateKafka } from './private-kafka.ts';

/** The ledger's three figures for the installation. */
export interface LedgerSnapshot extends LedgerCounts {
  postgresWritten: number;
}

/**
 * One LogFlow installation wired for faults: a Kafka of its own that can be stopped, the ES
 * sink reaching Elasticsearch through a TCP proxy (down, hung) and an HTTP proxy (429s, lost
 * items), the PG sink reaching Postgres through a TCP proxy (down, hung), the roles reaching
 * Redis through a TCP proxy (down), and every role a process that can be killed. The other
 * engines are the shared ones, untouched; every port is a free one picked at start.
 */
export class ChaosEnv {
  private readonly roles = new Map<string, RunningRole[]>();
  private readonly ledgerRedis: Redis;

  private constructor(
    readonly lf: Installation,
    readonly kafka: PrivateKafka,
    readonly esDown: TcpProxy,
    readonly esThrottle: ThrottleProxy,
    readonly pgDown: TcpProxy,
    readonly redisDown: TcpProxy,
    readonly ingesterPort: number,
    private readonly roleEnv: Record<string, Record<string, string>>,
    readonly log: (line: string) => void,
  ) {
    this.ledgerRedis = createRedis(lf.config, createLogger({ logLevel: 'warn' }, 'test'));
  }

  static async create(log: (line: string) => void): Promise<ChaosEnv> {
    const kafka = await privateKafka(log);
    await kafka.start();
    const [ingesterPort, queryPort] = await freePorts(2);
    // A killed consumer's partitions move on after 10 s instead of the default 30 s: more kills per minute.
    const lf = await createInstallation('chaos', { KAFKA_BROKERS: kafka.brokers, KAFKA_TOPIC_PARTITIONS: '6', SINK_SESSION_TIMEOUT_MS: '10000' });
    const esThrottle = await startThrottleProxy(lf.config.elasticsearch.url);
    const esDown = await startTcpProxy(Number(new URL(esThrottle.url).port));
    const pgUrl = new URL(lf.config.postgres.url);
    const pgDown = await startTcpProxy(Number(pgUrl.port || 5432), pgUrl.hostname);
    const redisUrl = new URL(lf.config.redis.url);
    const redisDown = await startTcpProxy(Number(redisUrl.port || 6379), redisUrl.hostname);
    esDown.forward(true);
    pgDown.forward(true);
    redisDown.forward(true);
    pgUrl.hostname = '127.0.0.1';
    pgUrl.port = String(pgDown.port);
    redisUrl.hostname = '127.0.0.1';
    redisUrl.port = String(redisDown.port);
    const redis = { REDIS_URL: redisUrl.toString() };
    const roleEnv = {
      ingester: { ...lf.env, ...redis, INGESTER_PORT: String(ingesterPort) },
      'es-sink': { ...lf.env, ...redis, ELASTICSEARCH_URL: `http://127.0.0.1:${esDown.port}` },
      'pg-sink': { ...lf.env, DATABASE_URL: pgUrl.toString() },
      reconciler: { ...lf.env, ...redis },
      query: { ...lf.env, ...redis, QUERY_PORT: String(queryPort) },
    };
    const env = new ChaosEnv(lf, kafka, esDown, esThrottle, pgDown, redisDown, ingesterPort!, roleEnv, log);
    const started = await Promise.allSettled(['ingester', 'es-sink', 'pg-sink', 'reconciler'].map((role) => env.start(role)));
    const failure = started.find((result) => result.status === 'rejected');
    if (failure) {
      await env.close();
      throw failure.reason;
    }
    return env;
  }

  get ingesterUrl(): string {
    return `http://127.0.0.1:${this.ingesterPort}`;
  }

  get queryUrl(): string {
    return `http://127.0.0.1:${this.roleEnv.query!.QUERY_PORT}`;
  }

  load(options: Omit<LoadOptions, 'ingesterUrl'>): LoadGenerator {
    return new LoadGenerator({ ...options, ingesterUrl: this.ingesterUrl });
  }

  /** Starts one more process of the role (a second consumer joins its group). */
  async start(role: string): Promise<RunningRole> {
    const running = await startRole(role, this.roleEnv[role]);
    this.roles.set(role, [...(this.roles.get(role) ?? []), running]);
    return running;
  }

  /** SIGKILL to the role's first process, then a new one in its place. */
  async kill(role: string): Promise<void> {
    await this.killOnly(role);
    await this.start(role);
  }

  /** SIGKILL to the role's first process, none in its place. */
  async killOnly(role: string): Promise<void> {
    const [victim, ...others] = this.roles.get(role) ?? [];
    if (!victim) throw new Error(`no ${role} running`);
    const exited = new Promise((resolve) => victim.process.once('exit', resolve));
    victim.process.kill('SIGKILL');
    await exited;
    this.roles.set(role, others);
  }

  /** SIGTERM to the role's newest process (a consumer leaves its group cleanly). */
  async stopNewest(role: string): Promise<void> {
    const running = this.roles.get(role) ?? [];
    const newest = running.pop();
    await newest?.stop();
  }

  /** The last lines each running role wrote, to tell why a fault did not converge. */
  recentOutput(lines = 12): string {
    return [...this.roles.entries()]
      .flatMap(([role, running]) =>
        running.map((r) => `--- ${role} (pid ${r.process.pid}${r.process.exitCode === null ? '' : `, exited ${r.process.exitCode}`}):\n${r.output.slice(-lines).join('\n')}`),
      )
      .join('\n');
  }

  count(role: string): number {
    return this.roles.get(role)?.length ?? 0;
  }

  /** Queues a reconcile of one resource's logs and resolves with what it found and repaired. */
  async reconcile(resourceId: string): Promise<ReconcileResult> {
    const job = await this.lf.queue.add('reconcile', { resourceIds: [resourceId] });
    const state = await eventually(
      async () => {
        const current = await job.getState();
        return current === 'completed' || current === 'failed' ? current : undefined;
      },
      300_000,
      500,
    );
    if (state !== 'completed') throw new Error(`reconcile job ${job.id} ${state}`);
    const done = await this.lf.queue.getJob(job.id!);
    return done!.returnvalue as ReconcileResult;
  }

  /** Resolves once both sinks have passed every record the topic holds now (false: not within `ms`). */
  async sinksCaughtUp(ms: number): Promise<boolean> {
    const admin = this.lf.kafka.admin();
    await admin.connect();
    try {
      const sample = await sampleTopicEnd(admin, this.lf.config.kafka.topic);
      const passed = await eventually(
        async () => {
          const { es, pg } = await sinkPositions(admin, this.lf.pool, this.lf.config);
          return sinksPassed(sample, es, pg) ? true : undefined;
        },
        ms,
        500,
      ).catch(() => false);
      return passed;
    } finally {
      await admin.disconnect();
    }
  }

  async ledger(): Promise<LedgerSnapshot> {
    const [counts, postgresWritten] = await Promise.all([readLedger(this.ledgerRedis, ledgerKey(this.lf.config)), logsWritten(this.lf.pool, this.lf.config.kafka.topic)]);
    return { ...counts, postgresWritten };
  }

  /** The log topic's end offsets summed: what Kafka holds, whoever produced it. */
  async topicEnd(): Promise<number> {
    const admin = this.lf.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(this.lf.config.kafka.topic);
      return offsets.reduce((sum, o) => sum + Number(o.high), 0);
    } finally {
      await admin.disconnect();
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.roles.values()].flat().map((role) => role.stop()));
    this.ledgerRedis.disconnect();
    await Promise.all([this.esDown.close(), this.esThrottle.close(), this.pgDown.close(), this.redisDown.close()]);
    await this.lf.close();
    await this.kafka.destroy();
  }
}
