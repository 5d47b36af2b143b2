import { describe, expect, it } from 'vitest';
import { queryAccess } from './access.ts';

describe('queryAccess', () => {
  it('needs read for every search path and the SQL console', () => {
    for (const url of ['/api/logs/search', '/api/logs/histogram', '/api/logs/fields/:field/top', '/api/logs/:id', '/api/logs/:id/context', '/api/logs/tail', '/api/logs/export', '/api/sql']) {
      expect(queryAccess('GET', url), url).toBe('read');
    }
  });

  it("needs read for the caller's identity and the saved searches", () => {
    expect(queryAccess('GET', '/api/auth/me')).toBe('read');
    expect(queryAccess('POST', '/api/saved-searches')).toBe('read');
    expect(queryAccess('DELETE', '/api/saved-searches/:id')).toBe('read');
  });

  it('needs admin for the admin API and for any /api route not listed', () => {
    for (const url of ['/api/admin/jobs', '/api/admin/dlq/replay', '/api/admin/keys', '/api/admin/audit', '/api/something-new']) {
      expect(queryAccess('POST', url), url).toBe('admin');
    }
  });

  it('leaves the dashboard, the API docs and unknown paths (404) open', () => {
    expect(queryAccess('GET', '/')).toBe('public');
    expect(queryAccess('GET', '/*')).toBe('public');
    expect(queryAccess('GET', '/api/docs/json')).toBe('public');
    expect(queryAccess('GET', undefined)).toBe('public');
  });
});
