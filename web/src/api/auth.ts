import { session, type Role } from '../auth/session.ts';
import { ApiError, apiFetch } from './http.ts';

/**
 * Asks the server who the key is. A server without authentication has no /api/auth/me (404):
 * then everyone is admin. Throws ApiError 401 for a key it refuses.
 */
export async function loadIdentity(): Promise<void> {
  try {
    const me = await apiFetch<{ role: Role; resourcePatterns?: string[] }>('/api/auth/me');
    Object.assign(session, { role: me.role, resourcePatterns: me.resourcePatterns, authEnabled: true });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      Object.assign(session, { role: 'admin', resourcePatterns: undefined, authEnabled: false });
      return;
    }
    throw error;
  }
}
