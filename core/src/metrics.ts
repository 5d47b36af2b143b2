import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import { z } from 'zod';
import type { HttpServer } from './http.ts';

/**
 * Event-loop delay is sampled by a timer of this period. prom-client's default (10 ms) woke
 * every idle role 100 times a second: over half of an idle sink's or ingester's CPU. A stall
 * still shows in the histogram once it is longer than the period.
 */
const EVENT_LOOP_SAMPLE_MS = 100;

/** A registry per process, labelled with its role, with Node's own metrics (memory, event loop). */
export function createMetricsRegistry(role: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ role });
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  return registry;
}

/** `GET /metrics` in the Prometheus text format. */
export function registerMetricsRoute(app: HttpServer, registry: Registry): void {
  app.get('/metrics', { schema: { response: { 200: z.string() } } }, async (_request, reply) => {
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}

/** The instrumentation events of a kafkajs producer, consumer or admin client. */
interface KafkaInstrumented {
  on(event: string, listener: (event: { payload: { apiName: string } }) => void): unknown;
  events: { REQUEST: string };
}

/**
 * `logflow_kafka_requests_total{client,api}`: requests this process sent to Kafka (Produce,
 * Fetch, Heartbeat, …), from kafkajs's own instrumentation events. Shows how many fetches a
 * sink needs per log, or produce requests the ingester sends per log.
 */
export function countKafkaRequests(registry: Registry, client: string, instrumented: KafkaInstrumented): void {
  const name = 'logflow_kafka_requests_total';
  const counter =
    (registry.getSingleMetric(name) as Counter<'client' | 'api'> | undefined) ??
    new Counter({ name, help: 'Requests sent to Kafka, by client and API', labelNames: ['client', 'api'], registers: [registry] });
  instrumented.on(instrumented.events.REQUEST, ({ payload }) => counter.inc({ client, api: payload.apiName }));
}
