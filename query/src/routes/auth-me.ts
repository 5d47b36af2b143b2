import { API_KEY_ROLES } from '@logflow/common';
import { AppError, type HttpServer } from '@logflow/core';
import { z } from 'zod';

const identitySchema = z.object({
  name: z.string(),
  role: z.enum(API_KEY_ROLES),
  resourcePatterns: z.array(z.string()).optional().describe('the resourceIds a scoped read key sees; absent: every log'),
});

/**
 * Who the caller's key is, so the dashboard shows what its role may use. Served only with
 * authentication on: a 404 tells the dashboard there are no keys to ask for.
 */
export function registerAuthMeRoute(app: HttpServer): void {
  app.get('/api/auth/me', { schema: { tags: ['auth'], summary: "The calling key's name, role and resource scope", response: { 200: identitySchema } } }, async (request) => {
    const key = request.apiKey;
    if (!key) throw new AppError(401, 'unauthorized', 'send an API key: Authorization: Bearer <key>');
    return { name: key.name, role: key.role, ...(key.resourcePatterns && { resourcePatterns: key.resourcePatterns }) };
  });
}
