import { describe, expect, it } from 'vitest';
import { creatorName, emptyKeyForm, newKeyRequest, scopeText } from './key-form.ts';

describe('newKeyRequest', () => {
  it('sends a read key its trimmed, distinct resource patterns', () => {
    const form = { ...emptyKeyForm(), name: '  payments team ', resourcePatterns: ['payments-*', ' billing-api ', 'payments-*', ''] };
    expect(newKeyRequest(form)).toEqual({ name: 'payments team', role: 'read', resourcePatterns: ['payments-*', 'billing-api'] });
  });

  it('leaves patterns out of other roles and of a read key with none', () => {
    expect(newKeyRequest({ ...emptyKeyForm(), name: 'ops', role: 'admin', resourcePatterns: ['payments-*'] })).toEqual({ name: 'ops', role: 'admin' });
    expect(newKeyRequest({ ...emptyKeyForm(), name: 'all', resourcePatterns: [' '] })).toEqual({ name: 'all', role: 'read' });
  });

  it('sends a rate limit only when one is set', () => {
    expect(newKeyRequest({ ...emptyKeyForm(), name: 'shipper', role: 'ingest', rateLimitPerMinute: 60_000 })).toEqual({ name: 'shipper', role: 'ingest', rateLimitPerMinute: 60_000 });
  });
});

describe('scopeText', () => {
  it('names the patterns of a scoped key and says when a key sees every log', () => {
    expect(scopeText({ role: 'read', resourcePatterns: ['payments-*', 'billing-api'] })).toBe('payments-*, billing-api');
    expect(scopeText({ role: 'read', resourcePatterns: null })).toBe('every log');
    expect(scopeText({ role: 'admin', resourcePatterns: null })).toBe('every log');
    expect(scopeText({ role: 'ingest', resourcePatterns: null })).toBe('writes only');
  });
});

describe('creatorName', () => {
  const keys = [{ id: '3f9a0c1d2b4e5f60', name: 'ops' }];

  it('names the key that made a key, and leaves anything else as the API said it', () => {
    expect(creatorName('key:3f9a0c1d2b4e5f60', keys)).toBe('ops');
    expect(creatorName('key:0000000000000000', keys)).toBe('key:0000000000000000');
    expect(creatorName('cli:root', keys)).toBe('cli:root');
  });
});
