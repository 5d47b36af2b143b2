import kafkajs, { type Message, type Producer } from 'kafkajs';
import { AppError, type Logger, type LogRecord } from '@logflow/core';
import { setTimeout as sleep } from 'node:timers/promises';

export interface BatchingProducerOptions {
  topic: string;
  /** A request not acknowledged by then answers 503. */
  ackTimeoutMs: number;
  /** Bytes waiting for Kafka across all requests; beyond it requests answer 429. */
  queueMaxBytes: number;
  /** Produce requests in flight at once; more requests wait and ride the next one together. */
  maxInFlight: number;
  /** Upper bound of one produce request (kept under the broker's 1 MiB message.max.bytes per partition). */
  maxSendBytes?: number;
}

export interface ProducerStats {
  onSend(records: number, seconds: number, ok: boolean): void;
}

interface Pending {
  messages: Message[];
  bytes: number;
  state: 'queued' | 'sending' | 'settled';
  resolve(): void;
  reject(error: AppError): void;
  timer: NodeJS.Timeout;
}

const RETRY_AFTER = { unavailable: '5', full: '1' } as const;

function unavailable(message: string): AppError {
  return new AppError(503, 'kafka_unavailable', message, undefined, { 'retry-after': RETRY_AFTER.unavailable });
}

/**
 * Gathers the logs of concurrent requests into shared Kafka produce requests (acks=all).
 * A send starts as soon as an in-flight slot is free; whatever arrives meanwhile waits in a
 * bounded queue and goes with the next one. Each request resolves only when Kafka has all of
 * its logs, and always settles within the ack timeout.
 */
export class BatchingProducer {
  private readonly queue: Pending[] = [];
  private queuedBytes = 0;
  private inFlight = 0;
  private connected = false;
  private connectFailed = false;
  private lastSendFailed = false;
  private closing = false;
  private pumpScheduled = false;
  private readonly maxSendBytes: number;
  private idle: (() => void) | undefined;

  constructor(
    private readonly producer: Pick<Producer, 'connect' | 'send' | 'disconnect'>,
    private readonly options: BatchingProducerOptions,
    private readonly logger: Logger,
    private readonly stats?: ProducerStats,
  ) {
    this.maxSendBytes = options.maxSendBytes ?? 768 * 1024;
  }

  /** Connects in the background until it succeeds; requests meanwhile wait (or 503 once a try failed). */
  async connect(prepare: () => Promise<void>): Promise<void> {
    while (!this.closing) {
      try {
        await prepare();
        await this.producer.connect();
        this.connected = true;
        this.connectFailed = false;
        this.logger.info('connected to Kafka');
        this.schedulePump();
        return;
      } catch (error) {
        this.connectFailed = true;
        this.failQueued('Kafka is unreachable; nothing was stored');
        this.logger.warn({ err: error }, 'cannot reach Kafka; retrying in 2 s');
        await sleep(2_000);
      }
    }
  }

  /** Ready to take logs: connected, and the last produce request did not fail. */
  isReady(): boolean {
    return this.connected && !this.lastSendFailed && !this.closing;
  }

  get queueDepth(): { requests: number; bytes: number } {
    return { requests: this.queue.length, bytes: this.queuedBytes };
  }

  send(records: LogRecord[]): Promise<void> {
    if (this.closing) return Promise.reject(unavailable('the ingester is shutting down; retry on another instance'));
    if (!this.connected && this.connectFailed) return Promise.reject(unavailable('Kafka is unreachable; nothing was stored'));
    const messages = records.map((record) => ({ key: record.id, value: JSON.stringify(record) }));
    const bytes = messages.reduce((sum, m) => sum + m.value.length + m.key.length, 0);
    if (this.queuedBytes + bytes > this.options.queueMaxBytes) {
      return Promise.reject(new AppError(429, 'ingest_queue_full', 'the ingester is at capacity; retry shortly', undefined, { 'retry-after': RETRY_AFTER.full }));
    }
    return new Promise((resolve, reject) => {
      const pending: Pending = {
        messages,
        bytes,
        state: 'queued',
        resolve,
        reject,
        timer: setTimeout(() => this.expire(pending), this.options.ackTimeoutMs),
      };
      this.queue.push(pending);
      this.queuedBytes += bytes;
      this.schedulePump();
    });
  }

  /** Stops taking logs, sends what is queued, waits for what is in flight, disconnects. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.connected) {
      this.pump();
      if (this.inFlight > 0 || this.queue.length > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    } else {
      this.failQueued('the ingester is shutting down before Kafka was reachable; nothing was stored');
    }
    await this.producer.disconnect();
  }

  /** One event-loop turn of linger: requests arriving together share one produce request. */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.connected && this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch: Pending[] = [];
      let bytes = 0;
      while (this.queue.length > 0 && (batch.length === 0 || bytes + this.queue[0]!.bytes <= this.maxSendBytes)) {
        const pending = this.queue.shift()!;
        pending.state = 'sending';
        bytes += pending.bytes;
        batch.push(pending);
      }
      this.queuedBytes -= bytes;
      this.inFlight += 1;
      void this.sendBatch(batch).finally(() => {
        this.inFlight -= 1;
        this.pump();
        if (this.inFlight === 0 && this.queue.length === 0) this.idle?.();
      });
    }
  }

  private async sendBatch(batch: Pending[]): Promise<void> {
    const messages = batch.flatMap((p) => p.messages);
    const started = process.hrtime.bigint();
    try {
      await this.producer.send({ topic: this.options.topic, acks: -1, timeout: this.options.ackTimeoutMs, messages });
      this.lastSendFailed = false;
      this.stats?.onSend(messages.length, Number(process.hrtime.bigint() - started) / 1e9, true);
      for (const pending of batch) this.settle(pending, undefined);
    } catch (error) {
      this.lastSendFailed = true;
      this.stats?.onSend(messages.length, Number(process.hrtime.bigint() - started) / 1e9, false);
      this.logger.warn({ err: error, records: messages.length }, 'Kafka did not acknowledge a produce request');
      const reason = error instanceof kafkajs.KafkaJSError ? error.message : 'unexpected producer error';
      for (const pending of batch) {
        this.settle(pending, unavailable(`Kafka did not acknowledge the logs (${reason}); retrying with the same ids is safe`));
      }
    }
  }

  private expire(pending: Pending): void {
    if (pending.state === 'queued') {
      this.queue.splice(this.queue.indexOf(pending), 1);
      this.queuedBytes -= pending.bytes;
      this.settle(pending, unavailable('Kafka did not take the logs in time; nothing was stored'));
    } else if (pending.state === 'sending') {
      this.settle(pending, unavailable('Kafka did not acknowledge in time; the logs may be stored: retry with the same ids'));
    }
  }

  private failQueued(message: string): void {
    for (const pending of this.queue.splice(0)) this.settle(pending, unavailable(message));
    this.queuedBytes = 0;
  }

  private settle(pending: Pending, error: AppError | undefined): void {
    if (pending.state === 'settled') return;
    pending.state = 'settled';
    clearTimeout(pending.timer);
    if (error) pending.reject(error);
    else pending.resolve();
  }
}
