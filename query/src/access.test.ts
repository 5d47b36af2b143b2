import { describe, expect, it } from 'vitest';
import { queryAccess, queryAudited } from './access.ts';

describe('queryAccess', () => {
  it('needs read for every search path and the SQL console', () => {
    for (const url of [
      '/api/logs/search',
      '/api/logs/histogram',
      '/api/logs/fields/:field/top',
      '/api/logs/:id',
      '/api/logs/:id/context',
      '/api/logs/tail',
      '/api/logs/export',
      '/api/sql',
      '/api/sql/schema',
    ]) {
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

describe('queryAudited', () => {
  it('records admin actions, saved-search changes and reads of keys and dead letters, not other reads', () => {
    for (const [method, url] of [
      ['POST', '/api/admin/jobs/reindex'],
      ['DELETE', '/api/admin/keys/:id'],
      ['POST', '/api/saved-searches'],
      ['DELETE', '/api/saved-searches/:id'],
      ['GET', '/api/admin/keys'],
      ['GET', '/api/admin/dlq'],
    ] as const) {
      expect(queryAudited(method, url), `${method} ${url}`).toBe(true);
    }
    for (const [method, url] of [
      ['GET', '/api/saved-searches'],
      ['GET', '/api/admin/jobs'],
      ['GET', '/api/logs/search'],
      ['POST', '/api/logs/search'],
      ['POST', '/api/sql'],
    ] as const) {
      expect(queryAudited(method, url), `${method} ${url}`).toBe(false);
    }
  });
});
