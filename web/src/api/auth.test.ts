import { afterEach, describe, expect, it, vi } from 'vitest';
import { allows, authHeaders, session, setApiKey, signOut } from '../auth/session.ts';
import { loadIdentity } from './auth.ts';

const answer = (status: number, body: unknown) => vi.fn().mockResolvedValue(new Response(JSON.stringify(body), { status }));

describe('sign-in', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    signOut();
  });

  it('treats a server without /api/auth/me as authentication off: admin, no key', async () => {
    vi.stubGlobal('fetch', answer(404, { message: 'Route GET:/api/auth/me not found' }));
    await loadIdentity();
    expect(session).toMatchObject({ role: 'admin', authEnabled: false });
  });

  it('sends the key as a Bearer token, keeps it for the tab only, and takes the role the server says', async () => {
    const fetch = answer(200, { role: 'read', resourcePatterns: ['server-*'] });
    vi.stubGlobal('fetch', fetch);
    setApiKey('lf_secret');
    await loadIdentity();
    expect(fetch.mock.calls[0][1].headers).toMatchObject({ authorization: 'Bearer lf_secret' });
    expect(sessionStorage.getItem('logflow.apiKey')).toBe('lf_secret');
    expect(session).toMatchObject({ role: 'read', resourcePatterns: ['server-*'], authEnabled: true });
    signOut();
    expect(sessionStorage.getItem('logflow.apiKey')).toBeNull();
    expect(authHeaders()).toEqual({});
  });

  it('fails on a refused key', async () => {
    vi.stubGlobal('fetch', answer(401, { error: { code: 'unauthorized', message: 'unknown key' } }));
    await expect(loadIdentity()).rejects.toMatchObject({ status: 401, message: 'unknown key' });
  });

  it('shows a role only what it may use', () => {
    expect([allows('admin', 'admin'), allows('admin', 'read'), allows('read', 'read'), allows('read', 'admin'), allows('ingest', 'read'), allows(undefined, 'read')]).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});
