import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@logflow/core';
import example from './fixtures/example_log.json' with { type: 'json' };
import { readRecordsBetween, topicEnd, type TopicPosition } from './kafka-reader.ts';
import { eventually, INGESTER_URL, startRole, type RunningRole } from './roles.ts';
import { freePorts } from './free-ports.ts';
import { isolatedPipeline, type IsolatedPipeline } from './sink-fixtures.ts';
import { startTcpProxy } from './tcp-proxy.ts';
import { setTimeout as sleep } from 'node:timers/promises';

/** Logs tagged with a resourceId unique to one test, so other traffic on the topic never counts. */
function logs(count: number, marker: string, extra: Record<string, unknown> = {}) {
  return Array.from({ length: count }, (_, i) => ({ ...example, resourceId: marker, message: `log ${i} of ${marker}`, ...extra }));
}

async function post(body: string | Buffer, headers: Record<string, string>, path = '/logs', base = INGESTER_URL) {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers, body });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
}

const json = (value: unknown) => post(JSON.stringify(value), { 'content-type': 'application/json' });
const ndjson = (lines: string[]) => post(lines.join('\n'), { 'content-type': 'application/x-ndjson' });

/** A topic of this file's own (never the live one), deleted at the end. */
let pipeline: IsolatedPipeline;
beforeAll(async () => {
  pipeline = await isolatedPipeline('ingester');
});
afterAll(async () => {
  await pipeline?.close();
});
const topic = () => pipeline.config.kafka.topic;
const ownTopic = () => ({ KAFKA_TOPIC: pipeline.config.kafka.topic, KAFKA_DLQ_TOPIC: pipeline.config.kafka.dlqTopic });

/** The records of `marker` produced since `since`, read up to the topic's end now. */
async function recordsOf(marker: string, since: TopicPosition) {
  const records = await readRecordsBetween(since, await topicEnd(topic()), 30_000, topic());
  return records.filter((r) => r.resourceId === marker);
}

describe('ingester', () => {
  let ingester: RunningRole;

  beforeAll(async () => {
    ingester = await startRole('ingester', ownTopic());
  });

  afterAll(async () => {
    await ingester?.stop();
  });

  it('lands every accepted form in Kafka exactly as answered: one log, an array, NDJSON, gzip', async () => {
    const marker = `forms-${randomUUID()}`;
    const since = await topicEnd(topic());
    const answers = [
      await json({ ...logs(1, marker)[0], level: 'WARN' }),
      await json(logs(3, marker)),
      await ndjson(logs(3, marker).map((l) => JSON.stringify(l))),
      await post(gzipSync(JSON.stringify(logs(2, marker))), { 'content-type': 'application/json', 'content-encoding': 'gzip' }),
      await post(
        gzipSync(
          logs(2, marker)
            .map((l) => JSON.stringify(l))
            .join('\n'),
        ),
        {
          'content-type': 'application/x-ndjson',
          'content-encoding': 'gzip',
        },
      ),
    ];
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    const ids = [answers[0]!.body.id, ...answers.slice(1).flatMap((a) => a.body.ids)];
    expect(ids).toHaveLength(11);
    expect(new Set(ids).size).toBe(11);

    const records = await recordsOf(marker, since);
    expect(records.map((r) => r.id).sort()).toEqual([...ids].sort());
    const first = records.find((r) => r.id === answers[0]!.body.id)!;
    expect(first).toMatchObject({ level: 'warn', message: `log 0 of ${marker}`, timestamp: '2023-09-15T08:00:00.000Z', traceId: 'abc-xyz-123' });
    expect(Date.parse(first.receivedAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('keeps a client-supplied id: it is the idempotency key', async () => {
    const marker = `client-id-${randomUUID()}`;
    const id = randomUUID();
    const since = await topicEnd(topic());
    const answer = await json({ ...logs(1, marker)[0], id });
    expect(answer).toMatchObject({ status: 202, body: { id } });
    expect((await recordsOf(marker, since)).map((r) => r.id)).toEqual([id]);
  });

  it('accepts the valid items of a partial batch and reports each invalid one (207)', async () => {
    const marker = `partial-${randomUUID()}`;
    const since = await topicEnd(topic());
    const batch = logs(4, marker);
    batch[1] = { ...batch[1]!, level: 'loud' };
    batch[3] = { ...batch[3]!, timestamp: 'yesterday' };
    const answer = await json(batch);
    expect(answer.status).toBe(207);
    expect(answer.body).toMatchObject({ accepted: 2, rejected: 2 });
    expect(answer.body.ids[1]).toBeNull();
    expect(answer.body.ids[3]).toBeNull();
    expect(answer.body.errors).toEqual([
      expect.objectContaining({ index: 1, field: 'level', rule: 'invalid_value' }),
      expect.objectContaining({ index: 3, field: 'timestamp', rule: 'invalid_format' }),
    ]);
    const records = await recordsOf(marker, since);
    expect(records.map((r) => r.id).sort()).toEqual([answer.body.ids[0], answer.body.ids[2]].sort());
  });

  it('refuses a whole batch in atomic mode when one item is invalid, producing nothing', async () => {
    const marker = `atomic-${randomUUID()}`;
    const since = await topicEnd(topic());
    const batch = logs(3, marker);
    batch[2] = { ...batch[2]!, message: '' };
    const answer = await post(JSON.stringify(batch), { 'content-type': 'application/json' }, '/logs?atomic=true');
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 'invalid_logs', details: [expect.objectContaining({ index: 2, field: 'message' })] });
    expect(await recordsOf(marker, since)).toEqual([]);
  });

  it('accepts the good lines of NDJSON with a broken line and names the broken one', async () => {
    const marker = `ndjson-${randomUUID()}`;
    const since = await topicEnd(topic());
    const [a, b] = logs(2, marker).map((l) => JSON.stringify(l));
    const answer = await ndjson([a!, '{"level": "info", "message": ', b!, '']);
    expect(answer.status).toBe(207);
    expect(answer.body.errors).toEqual([expect.objectContaining({ index: 1, rule: 'invalid_json' })]);
    expect((await recordsOf(marker, since)).map((r) => r.id).sort()).toEqual([answer.body.ids[0], answer.body.ids[2]].sort());
  });

  it('answers 400 naming the field and rule for one invalid log', async () => {
    const answer = await json({ ...example, level: 'loud' });
    expect(answer.status).toBe(400);
    expect(answer.body.error.details).toEqual([expect.objectContaining({ index: 0, field: 'level', rule: 'invalid_value' })]);
    expect(answer.body.requestId).toEqual(answer.headers.get('x-request-id'));
  });

  it('refuses malformed JSON, __proto__ and constructor.prototype with 400, producing nothing', async () => {
    const marker = `poison-${randomUUID()}`;
    const since = await topicEnd(topic());
    const good = JSON.stringify(logs(1, marker)[0]);
    const bodies = [
      `[${good}, {"level":"info","message":"x","timestamp":"2023-09-15T08:00:00Z","metadata":{"__proto__":{"admin":true}}}]`,
      `[${good}, {"level":"info","message":"x","timestamp":"2023-09-15T08:00:00Z","constructor":{"prototype":{"admin":true}}}]`,
      `[${good}, {"level": `,
    ];
    for (const body of bodies) {
      const answer = await post(body, { 'content-type': 'application/json' });
      expect(answer.status).toBe(400);
      expect(['forbidden_key', 'invalid_json']).toContain(answer.body.error.code);
    }
    expect(await recordsOf(marker, since)).toEqual([]);
  });

  it('answers 415 for a wrong content type or encoding', async () => {
    expect((await post(JSON.stringify(example), { 'content-type': 'text/plain' })).status).toBe(415);
    const brotli = await post(JSON.stringify(example), { 'content-type': 'application/json', 'content-encoding': 'br' });
    expect(brotli.status).toBe(415);
    expect(brotli.body.error.code).toBe('unsupported_encoding');
  });

  it('answers 413 beyond the body limit, also for a gzip bomb', async () => {
    const big = JSON.stringify(logs(1, 'big', { message: 'x'.repeat(11 * 1024 * 1024) })[0]);
    expect((await post(big, { 'content-type': 'application/json' })).status).toBe(413);
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const answer = await post(bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(answer.status).toBe(413);
  });

  it('reports health, readiness and Prometheus metrics', async () => {
    expect((await fetch(`${INGESTER_URL}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${INGESTER_URL}/readyz`)).json()).toEqual({ status: 'ready' });
    const metrics = await (await fetch(`${INGESTER_URL}/metrics`)).text();
    for (const name of [
      'logflow_ingest_logs_accepted_total',
      'logflow_ingest_logs_rejected_total{reason="invalid_value"',
      'logflow_ingest_bytes_total',
      'logflow_ingest_request_batch_size_bucket',
      'logflow_ingest_produce_seconds_bucket',
      'logflow_ingest_queue_depth',
    ]) {
      expect(metrics).toContain(name);
    }
  });

  it('answers the requests in flight at SIGTERM, and each 202 is in Kafka', async () => {
    const marker = `shutdown-${randomUUID()}`;
    const [port] = await freePorts(1);
    const base = `http://127.0.0.1:${port}`;
    const draining = await startRole('ingester', { ...ownTopic(), INGESTER_PORT: String(port) });
    const since = await topicEnd(topic());
    const statuses: (number | 'refused')[] = [];
    const acknowledged: string[] = [];
    let sent = 0;
    // Ten clients post one log after another until the ingester stops taking connections.
    const client = async () => {
      for (;;) {
        const answer = await post(JSON.stringify(logs(1, marker)[0]), { 'content-type': 'application/json' }, '/logs', base).catch(() => undefined);
        sent += 1;
        statuses.push(answer?.status ?? 'refused');
        if (answer?.status === 202) acknowledged.push(answer.body.id as string);
        if (!answer || sent > 20_000) return;
      }
    };
    const clients = Array.from({ length: 10 }, client);
    while (acknowledged.length < 200) await sleep(10);
    draining.process.kill('SIGTERM');
    await Promise.all(clients);
    await draining.stop();

    expect(statuses.filter((s) => s !== 202 && s !== 503 && s !== 'refused')).toEqual([]);
    const records = await recordsOf(marker, since);
    const inKafka = new Set(records.map((r) => r.id));
    expect(acknowledged.filter((id) => !inKafka.has(id))).toEqual([]);
  });
});

describe('ingester with an unreachable broker', () => {
  it('answers 503 with Retry-After within its timeout, and never produces that log later', async () => {
    const broker = await startTcpProxy(Number(loadConfig().kafka.brokers[0]!.split(':')[1]));
    const [port] = await freePorts(1);
    const base = `http://127.0.0.1:${port}`;
    const ingester = await startRole('ingester', { ...ownTopic(), INGESTER_PORT: String(port), KAFKA_BROKERS: `127.0.0.1:${broker.port}`, INGEST_ACK_TIMEOUT_MS: '3000' });
    try {
      const [refused, later] = [`unreachable-${randomUUID()}`, `reachable-${randomUUID()}`];
      const since = await topicEnd(topic());
      const started = Date.now();
      const answer = await post(JSON.stringify(logs(1, refused)[0]), { 'content-type': 'application/json' }, '/logs', base);
      expect(answer.status).toBe(503);
      expect(Date.now() - started).toBeLessThanOrEqual(3_500);
      expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(answer.body.error.code).toBe('kafka_unavailable');
      expect((await fetch(`${base}/readyz`)).status).toBe(503);

      broker.forward(true);
      await eventually(async () => ((await fetch(`${base}/readyz`)).ok ? true : undefined), 20_000);
      const accepted = await post(JSON.stringify(logs(1, later)[0]), { 'content-type': 'application/json' }, '/logs', base);
      expect(accepted.status).toBe(202);
      const records = await readRecordsBetween(since, await topicEnd(topic()), 30_000, topic());
      expect(records.filter((r) => r.resourceId === later).map((r) => r.id)).toEqual([accepted.body.id]);
      expect(records.filter((r) => r.resourceId === refused)).toEqual([]);
    } finally {
      await ingester.stop();
      await broker.close();
    }
  });
});
