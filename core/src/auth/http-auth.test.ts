import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createHttpServer } from '../http.ts';
import { createLogger } from '../logger.ts';
import { installAuth } from './http-auth.ts';
import type { ApiKeyStore } from './key-store.ts';

describe('installAuth with LOGFLOW_AUTH=off', () => {
  it('warns at start and leaves every route open', async () => {
    const lines: string[] = [];
    const logger = createLogger({ logLevel: 'info' }, 'test', new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }));
    const app = createHttpServer({ logger });
    // With auth off neither the key store nor Redis is touched.
    await installAuth(app, { enabled: false, store: {} as ApiKeyStore, redis: {} as never, redisPrefix: 'x', rateLimitPerMinute: 1, failures: { max: 1, windowMs: 1_000 }, access: () => 'admin', logger });
    app.get('/api/admin/thing', async () => ({ ok: true }));
    expect((await app.inject('/api/admin/thing')).statusCode).toBe(200);
    expect(lines.some((line) => line.includes('"level":40') && line.includes('LOGFLOW_AUTH=off'))).toBe(true);
    await app.close();
  });
});
