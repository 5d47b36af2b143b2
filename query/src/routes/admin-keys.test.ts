import { describe, expect, it } from 'vitest';
import { build } from '../test-helper.ts';

describe('the API key admin routes', () => {
  it('refuses a new key with a field it does not know or a role that does not exist, naming them, and audits the refusal', async () => {
    const { app, keys, audit } = await build({}, { auth: true });
    keys.add('lf_admin', 'admin');
    const post = (payload: Record<string, unknown>) => app.inject({ method: 'POST', url: '/api/admin/keys', payload, headers: { authorization: 'Bearer lf_admin' } });
    const unknown = await post({ name: 'ci', role: 'ingest', colour: 'blue' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ error: { code: 'invalid_request', details: [expect.objectContaining({ field: 'body', rule: 'unrecognized_keys' })] } });
    expect(unknown.json<{ error: { message: string } }>().error.message).toContain('colour');
    const role = await post({ name: 'ci', role: 'root' });
    expect(role.json()).toMatchObject({ error: { details: [expect.objectContaining({ field: 'body.role', rule: 'invalid_value' })] } });
    expect(audit.rows.map((r) => [r.keyName, r.action, r.status, r.outcome])).toEqual([
      ['admin key', 'POST /api/admin/keys', 400, 'failed'],
      ['admin key', 'POST /api/admin/keys', 400, 'failed'],
    ]);
  });

  it('refuses a read key (403), and everything with keys off (api_keys_off)', async () => {
    const on = await build({}, { auth: true });
    on.keys.add('lf_read', 'read');
    expect((await on.app.inject({ url: '/api/admin/keys', headers: { authorization: 'Bearer lf_read' } })).statusCode).toBe(403);
    const off = await build();
    const answer = await off.app.inject({ method: 'POST', url: '/api/admin/keys', payload: { name: 'ci', role: 'ingest' } });
    expect(answer.statusCode).toBe(403);
    expect(answer.json()).toMatchObject({ error: { code: 'api_keys_off' } });
  });
});
