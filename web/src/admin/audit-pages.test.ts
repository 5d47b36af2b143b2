import { describe, expect, it } from 'vitest';
import type { AuditRow } from '../api/keys.ts';
import { nextBefore, paramsText } from './audit-pages.ts';

const row = (id: number): AuditRow => ({
  id,
  at: '2026-01-01T00:00:00.000Z',
  keyId: 'k',
  keyName: 'admin',
  action: 'POST /api/admin/keys',
  params: {},
  status: 201,
  outcome: 'ok',
  requestId: null,
  clientRequestId: null,
});

describe('nextBefore', () => {
  it('pages on from the oldest row of a full page', () => {
    expect(nextBefore([row(30), row(29), row(28)], 3)).toBe(28);
  });

  it('says there is nothing older after a short or empty page', () => {
    expect(nextBefore([row(30), row(29)], 3)).toBeUndefined();
    expect(nextBefore([], 3)).toBeUndefined();
  });
});

describe('paramsText', () => {
  it('keeps the parts of a request that were there', () => {
    expect(paramsText({ params: { id: '3f9a0c1d2b4e5f60' }, query: {}, body: null })).toBe('{"params":{"id":"3f9a0c1d2b4e5f60"}}');
    expect(paramsText({ params: {}, query: {}, body: null })).toBe('');
  });

  it('shows what the CLI recorded as it is', () => {
    expect(paramsText({ name: 'ops', role: 'admin' })).toBe('{"name":"ops","role":"admin"}');
  });
});
