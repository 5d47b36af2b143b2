import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createHttpServer } from '../http.ts';
import { createLogger } from '../logger.ts';
import { installAuth } from './http-auth.ts';
import type { AuditLog } from './audit.ts';
import type { ApiKeyStore } from './key-store.ts';

describe('installAuth with LOGFLOW_AUTH=off', () => {
  it('warns at start and leaves every route open', async () => {
    const lines: string[] = [];
    const logger = createLogger({ logLevel: 'info' }, 'test', new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }));
    const app = createHttpServer({ logger });
    // With auth off neither the key store nor Redis is touched.
    await installAuth(app, {
      enabled: false,
      store: {} as ApiKeyStore,
      redis: {} as never,
      redisPrefix: 'x',
      rateLimitPerMinute: 1,
      failures: { max: 1, windowMs: 1_000 },
      access: () => 'admin',
      logger,
    });
    app.get('/api/admin/thing', async () => ({ ok: true }));
    expect((await app.inject('/api/admin/thing')).statusCode).toBe(200);
    expect(lines.some((line) => line.includes('"level":40') && line.includes('LOGFLOW_AUTH=off'))).toBe(true);
    await app.close();
  });
});

describe('the audit log of installAuth', () => {
  it('writes an action whose parsed body holds a bigint, and runs it', async () => {
    const logger = createLogger({ logLevel: 'silent' }, 'test');
    const app = createHttpServer({ logger });
    // The row as Postgres would get it: drizzle writes jsonb with JSON.stringify, which refuses a bigint.
    const rows: string[] = [];
    const audit = {
      start: async (entry: { params: Record<string, unknown> }) => rows.push(JSON.stringify(entry.params)),
      finish: async () => undefined,
      record: async () => undefined,
    } as unknown as AuditLog;
    await installAuth(app, {
      enabled: false,
      store: {} as ApiKeyStore,
      redis: {} as never,
      redisPrefix: 'x',
      rateLimitPerMinute: 1,
      failures: { max: 1, windowMs: 1_000 },
      access: () => 'admin',
      audit,
      logger,
    });
    app.post('/api/admin/replay', { preValidation: async (request) => void (request.body = { offset: 999_999n }) }, async () => ({ replayed: 1 }));
    const answer = await app.inject({ method: 'POST', url: '/api/admin/replay', payload: { offset: '999999' } });
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(rows[0]!)).toMatchObject({ body: { offset: '999999' } });
    await app.close();
  });
});
