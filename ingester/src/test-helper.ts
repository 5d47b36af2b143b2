import { Registry } from 'prom-client';
import { onTestFinished } from 'vitest';
import { loadConfig, type AppError, type LogRecord, createLogger } from '@logflow/core';
import { fakeAuth, FakeKeyStore } from '@logflow/core/testing';
import { buildIngesterApp } from './app.ts';
import { createIngestMetrics } from './ingest-metrics.ts';

/**
 * For unit tests only: Kafka as the ingester's app sees it. It acknowledges every send at once
 * and keeps what it was given, or refuses with `failWith`.
 */
export class FakeProducer {
  readonly sent: LogRecord[] = [];
  ready = true;
  failWith: AppError | undefined;
  /** While set, sends wait for it: Kafka slow to acknowledge. */
  holdUntil: Promise<void> | undefined;
  /** Sends waiting on `holdUntil` now. */
  held = 0;

  async send(records: LogRecord[]): Promise<void> {
    if (this.failWith) throw this.failWith;
    if (this.holdUntil) {
      this.held++;
      await this.holdUntil;
      this.held--;
    }
    this.sent.push(...records);
  }

  isReady(): boolean {
    return this.ready;
  }
}

export interface TestIngester {
  app: Awaited<ReturnType<typeof buildIngesterApp>>;
  producer: FakeProducer;
  /** The API keys the app knows (keys are on only with `auth: true`). */
  keys: FakeKeyStore;
  /** Each count of logs the app told the ledger it acknowledged. */
  accepted: number[];
}

/**
 * The ingester's app as `startIngester` builds it from the configuration `env` gives (the
 * defaults otherwise), with Kafka, Postgres and Redis faked; closed when the test ends. Answer
 * it with `app.inject`. Keys are off unless `auth` is true.
 */
export async function build(env: Record<string, string> = {}, { auth = false } = {}): Promise<TestIngester> {
  const config = loadConfig({ LOG_LEVEL: 'silent', ...env });
  const settings = config.ingester;
  const logger = createLogger(config, 'ingester');
  const registry = new Registry();
  const producer = new FakeProducer();
  const keys = new FakeKeyStore();
  const accepted: number[] = [];
  const app = await buildIngesterApp({
    logger,
    producer,
    metrics: createIngestMetrics(registry, () => ({ requests: 0, bytes: 0 })),
    registry,
    bodyLimitBytes: settings.bodyLimitBytes,
    inProgressMaxBytes: settings.inProgressMaxBytes,
    maxBatchItems: settings.maxBatchItems,
    timestampWindow: settings.timestampWindow,
    onAccepted: (count) => accepted.push(count),
    auth: { ...fakeAuth(keys), enabled: auth },
  });
  onTestFinished(() => app.close());
  return { app, producer, keys, accepted };
}
