import { AppError } from '@logflow/core/errors';
import type { HttpServer } from '@logflow/core/http';
import type { Pool } from '@logflow/core/postgres';
import { z } from 'zod';

const savedSearchSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  query: z.string().describe("the dashboard's URL query of the search view, e.g. q=level%3Aerror&range=24h"),
  savedAt: z.string(),
});

const saveBodySchema = z.object({
  name: z.string().trim().min(1).max(200),
  query: z.string().max(8000).refine((q) => !q.startsWith('?'), 'without the leading ?'),
});

const COLUMNS = `id::int AS id, name, query, to_char(saved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "savedAt"`;

/** Saved searches of the dashboard, in Postgres: list, save (a name saved again is replaced), delete. */
export function registerSavedSearchRoutes(app: HttpServer, deps: { pool: Pool }): void {
  app.get(
    '/api/saved-searches',
    { schema: { tags: ['saved searches'], summary: 'Saved searches, by name', response: { 200: z.object({ savedSearches: z.array(savedSearchSchema) }) } } },
    async () => {
      const result = await deps.pool.query(`SELECT ${COLUMNS} FROM saved_searches ORDER BY name`);
      return { savedSearches: result.rows as z.infer<typeof savedSearchSchema>[] };
    },
  );

  app.post(
    '/api/saved-searches',
    { schema: { tags: ['saved searches'], summary: 'Save a search; saving under an existing name replaces it', body: saveBodySchema, response: { 200: savedSearchSchema } } },
    async (request) => {
      const { name, query } = request.body;
      const result = await deps.pool.query(
        `INSERT INTO saved_searches (name, query) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET query = excluded.query, saved_at = now()
         RETURNING ${COLUMNS}`,
        [name, query],
      );
      return result.rows[0] as z.infer<typeof savedSearchSchema>;
    },
  );

  app.delete(
    '/api/saved-searches/:id',
    { schema: { tags: ['saved searches'], summary: 'Delete a saved search', params: z.object({ id: z.coerce.number().int().min(1) }) } },
    async (request, reply) => {
      const result = await deps.pool.query('DELETE FROM saved_searches WHERE id = $1', [request.params.id]);
      if (result.rowCount === 0) throw new AppError(404, 'saved_search_not_found', `no saved search ${request.params.id}`);
      return reply.status(204).send();
    },
  );
}
