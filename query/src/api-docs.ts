import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { HttpServer } from '@logflow/core';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

/**
 * The OpenAPI document, built from the zod schemas of the routes registered after this:
 * the browsable page at `/api/docs`, the JSON at `/api/docs/json`.
 */
export async function registerApiDocs(app: HttpServer): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'LogFlow query API',
        version: '0.1.0',
        description: 'Search, histogram, top values, context, live tail, export and read-only SQL over the logs LogFlow stores.',
      },
      tags: [
        { name: 'search', description: 'queries over Elasticsearch' },
        { name: 'logs', description: 'single logs' },
        { name: 'sql', description: 'read-only SQL over Postgres' },
        { name: 'admin', description: 'API keys and the audit log (admin keys)' },
      ],
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'an API key: Authorization: Bearer <key>' } } },
      // Every route needs a key unless LOGFLOW_AUTH=off; which role, docs/security.md says.
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });
}
