import { collectDefaultMetrics, Registry } from 'prom-client';
import { z } from 'zod';
import type { HttpServer } from './http.ts';

/** A registry per process, labelled with its role, with Node's own metrics (memory, event loop). */
export function createMetricsRegistry(role: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ role });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** `GET /metrics` in the Prometheus text format. */
export function registerMetricsRoute(app: HttpServer, registry: Registry): void {
  app.get('/metrics', { schema: { response: { 200: z.string() } } }, async (_request, reply) => {
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
