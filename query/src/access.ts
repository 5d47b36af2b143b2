import type { Access } from '@logflow/core';

/**
 * What each route of the query service asks of its caller. Anything under /api that is not
 * listed needs an admin key, so a new route is closed until someone opens it on purpose.
 */
export function queryAccess(_method: string, url: string | undefined): Access {
  if (url === undefined) return 'public';
  if (url === '/api/docs' || url.startsWith('/api/docs/')) return 'public';
  if (url.startsWith('/api/logs/') || url === '/api/sql' || url === '/api/sql/schema' || url === '/api/auth/me') return 'read';
  if (url.startsWith('/api/saved-searches')) return 'read';
  if (url.startsWith('/api/')) return 'admin';
  // The dashboard's files and the service's greeting.
  return 'public';
}

/** Reads that hand out sensitive data: who reads them is recorded like an action. */
const SENSITIVE_READS = new Set(['/api/admin/keys', '/api/admin/dlq']);

/** What the audit log records: admin actions, changes to saved searches, and reads of keys and dead letters (whole payloads). */
export function queryAudited(method: string, url: string | undefined): boolean {
  if (url === undefined) return false;
  if (method === 'GET') return SENSITIVE_READS.has(url);
  return queryAccess(method, url) === 'admin' || url.startsWith('/api/saved-searches');
}
