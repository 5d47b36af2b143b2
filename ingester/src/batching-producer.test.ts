import { describe, expect, it } from 'vitest';
import type { ProducerRecord } from 'kafkajs';
import { AppError, createLogger, type LogRecord } from '@logflow/core';
import { BatchingProducer, type BatchingProducerOptions } from './batching-producer.ts';

/** A stand-in for kafkajs whose sends the test acknowledges or fails by hand. */
class ManualProducer {
  readonly sends: { record: ProducerRecord; ack(): void; fail(error: Error): void }[] = [];
  async connect() {}
  async disconnect() {}
  send(record: ProducerRecord) {
    return new Promise<never>((resolve, reject) => {
      this.sends.push({ record, ack: () => resolve(undefined as never), fail: reject });
    });
  }
}

const logger = createLogger({ logLevel: 'silent' }, 'test');
const record = (id: string): LogRecord => ({
  id,
  receivedAt: '2026-11-25T00:00:00.000Z',
  level: 'info',
  message: 'm',
  timestamp: '2026-11-25T00:00:00.000Z',
  metadata: {},
});
const tick = () => new Promise((resolve) => setImmediate(resolve));

async function connected(options: Partial<BatchingProducerOptions> = {}) {
  const kafka = new ManualProducer();
  const producer = new BatchingProducer(kafka, { topic: 't', ackTimeoutMs: 1_000, queueMaxBytes: 1_000_000, maxInFlight: 1, ...options }, logger);
  await producer.connect(async () => {});
  return { kafka, producer };
}

describe('BatchingProducer', () => {
  it('gathers the requests that arrive while a send is in flight into the next send', async () => {
    const { kafka, producer } = await connected();
    const first = producer.send([record('a')]);
    await tick();
    const waiting = [producer.send([record('b')]), producer.send([record('c'), record('d')])];
    await tick();
    expect(kafka.sends).toHaveLength(1);
    kafka.sends[0]!.ack();
    await first;
    await tick();
    expect(kafka.sends).toHaveLength(2);
    expect(kafka.sends[1]!.record.messages.map((m) => m.key)).toEqual(['b', 'c', 'd']);
    expect(kafka.sends[1]!.record.acks).toBe(-1);
    kafka.sends[1]!.ack();
    await Promise.all(waiting);
  });

  it('resolves no request before Kafka acknowledged it', async () => {
    const { kafka, producer } = await connected();
    let settled = false;
    const sending = producer.send([record('a')]).finally(() => (settled = true));
    await tick();
    await tick();
    expect(settled).toBe(false);
    kafka.sends[0]!.ack();
    await sending;
    expect(settled).toBe(true);
  });

  it('answers 503 with Retry-After when Kafka fails the send', async () => {
    const { kafka, producer } = await connected();
    const sending = producer.send([record('a')]);
    await tick();
    kafka.sends[0]!.fail(new Error('broker gone'));
    await expect(sending).rejects.toMatchObject({ status: 503, code: 'kafka_unavailable', headers: { 'retry-after': '5' } });
    expect(producer.isReady()).toBe(false);
  });

  it('answers 429 with Retry-After when the queue is full', async () => {
    const { producer } = await connected({ queueMaxBytes: 200 });
    void producer.send([record('a')]).catch(() => undefined);
    const overflow = producer.send([record('b'), record('c')]);
    await expect(overflow).rejects.toBeInstanceOf(AppError);
    await expect(overflow).rejects.toMatchObject({ status: 429, headers: { 'retry-after': '1' } });
  });

  it('drops a request that times out while queued: it is never sent afterwards', async () => {
    const { kafka, producer } = await connected({ ackTimeoutMs: 50 });
    const inFlight = producer.send([record('a')]);
    await tick();
    const queued = producer.send([record('late')]);
    const [sent, dropped] = await Promise.allSettled([inFlight, queued]);
    expect(dropped).toMatchObject({ status: 'rejected', reason: { status: 503, message: expect.stringContaining('nothing was stored') } });
    expect(sent).toMatchObject({ status: 'rejected', reason: { status: 503, message: expect.stringContaining('retry with the same ids') } });
    kafka.sends[0]!.ack();
    await tick();
    await tick();
    expect(kafka.sends.flatMap((s) => s.record.messages.map((m) => m.key))).toEqual(['a']);
  });

  it('sends what is queued before closing', async () => {
    const { kafka, producer } = await connected();
    const a = producer.send([record('a')]);
    await tick();
    const b = producer.send([record('b')]);
    const closing = producer.close();
    kafka.sends[0]!.ack();
    await tick();
    kafka.sends[1]!.ack();
    await Promise.all([a, b, closing]);
    await expect(producer.send([record('c')])).rejects.toMatchObject({ status: 503 });
  });
});
