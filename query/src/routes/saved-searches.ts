import { AppError, type HttpServer, type Pool } from '@logflow/core';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';

const savedSearchSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  query: z.string().describe("the dashboard's URL query of the search view, e.g. q=level%3Aerror&range=24h"),
  savedAt: z.string(),
  ownerKeyId: z.string().nullable().describe('the key that saved it; null: saved with keys off (or before searches had owners)'),
});

const saveBodySchema = z.object({
  name: z.string().trim().min(1).max(200),
  query: z
    .string()
    .max(8000)
    .refine((q) => !q.startsWith('?'), 'without the leading ?'),
});

const COLUMNS = `id::int AS id, name, query, to_char(saved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "savedAt", owner_key_id AS "ownerKeyId"`;

/**
 * Whose searches a request sees and changes: a read key only its own; an admin key, and anyone
 * with keys off (where every caller is admin), every one. Undefined: all.
 */
function ownerScope(request: FastifyRequest): string | undefined {
  const key = request.apiKey;
  return key && key.role !== 'admin' ? key.id : undefined;
}

/** Saved searches of the dashboard, in Postgres, per key: list, save (a name saved again is replaced), delete. */
export function registerSavedSearchRoutes(app: HttpServer, deps: { pool: Pool }): void {
  app.get(
    '/api/saved-searches',
    {
      schema: {
        tags: ['saved searches'],
        summary: "The key's saved searches, by name (an admin key: every key's)",
        response: { 200: z.object({ savedSearches: z.array(savedSearchSchema) }) },
      },
    },
    async (request) => {
      const owner = ownerScope(request);
      const result =
        owner === undefined
          ? await deps.pool.query(`SELECT ${COLUMNS} FROM saved_searches ORDER BY name, id`)
          : await deps.pool.query(`SELECT ${COLUMNS} FROM saved_searches WHERE owner_key_id = $1 ORDER BY name`, [owner]);
      return { savedSearches: result.rows as z.infer<typeof savedSearchSchema>[] };
    },
  );

  app.post(
    '/api/saved-searches',
    {
      schema: {
        tags: ['saved searches'],
        summary: "Save a search as the key's own; saving under a name it already has replaces that one",
        body: saveBodySchema,
        response: { 200: savedSearchSchema },
      },
    },
    async (request) => {
      const { name, query } = request.body;
      const result = await deps.pool.query(
        `INSERT INTO saved_searches (name, query, owner_key_id) VALUES ($1, $2, $3)
         ON CONFLICT ON CONSTRAINT saved_searches_owner_name_unique DO UPDATE SET query = excluded.query, saved_at = now()
         RETURNING ${COLUMNS}`,
        [name, query, request.apiKey?.id ?? null],
      );
      return result.rows[0] as z.infer<typeof savedSearchSchema>;
    },
  );

  app.delete(
    '/api/saved-searches/:id',
    {
      schema: {
        tags: ['saved searches'],
        summary: "Delete one of the key's saved searches (an admin key: anyone's); another key's answers 404",
        params: z.object({ id: z.coerce.number().int().min(1) }),
      },
    },
    async (request, reply) => {
      const owner = ownerScope(request);
      const result =
        owner === undefined
          ? await deps.pool.query('DELETE FROM saved_searches WHERE id = $1', [request.params.id])
          : await deps.pool.query('DELETE FROM saved_searches WHERE id = $1 AND owner_key_id = $2', [request.params.id, owner]);
      if (result.rowCount === 0) throw new AppError(404, 'saved_search_not_found', `no saved search ${request.params.id}`);
      return reply.status(204).send();
    },
  );
}
