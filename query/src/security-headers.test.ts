import type { Client } from '@elastic/elasticsearch';
import { type ApiKeyStore, type AuditLog, createLogger, indexNames } from '@logflow/core';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildQueryApp } from './app.ts';
import { inlineScriptHashes } from './security-headers.ts';

const EARLY = 'fetch("/api/logs/search")';
const PAGE = `<!doctype html><html><head><script type="module" crossorigin src="/assets/index.js"></script><script type="module" async>${EARLY}</script></head><body><div id="app"></div></body></html>`;
const earlyHash = `'sha256-${createHash('sha256').update(EARLY).digest('base64')}'`;

describe('security headers of the query service', () => {
  let webRoot: string;
  let app: Awaited<ReturnType<typeof buildQueryApp>>;

  beforeAll(async () => {
    webRoot = mkdtempSync(join(tmpdir(), 'logflow-web-'));
    writeFileSync(join(webRoot, 'index.html'), PAGE);
    app = await buildQueryApp({
      logger: createLogger({ logLevel: 'silent' }, 'test'),
      elasticsearch: {} as Client,
      names: indexNames('logflow-logs'),
      webRoot,
      // Keys off: nothing here reaches the key store, Redis or the audit log.
      auth: { enabled: false, store: {} as ApiKeyStore, redis: {} as never, redisPrefix: 'x', rateLimitPerMinute: 1, failures: { max: 1, windowMs: 1_000 }, audit: {} as AuditLog },
    });
  });

  afterAll(async () => {
    await app.close();
    rmSync(webRoot, { recursive: true, force: true });
  });

  it('lets the dashboard run its own scripts and its inline early script by hash, nothing inline else, and forbids framing and sniffing', async () => {
    for (const path of ['/', '/search?q=x']) {
      const page = await app.inject(path);
      expect(page.statusCode).toBe(200);
      const csp = String(page.headers['content-security-policy']);
      const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src'))!;
      expect(scriptSrc.trim()).toBe(`script-src 'self' ${earlyHash}`);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toContain('upgrade-insecure-requests');
      expect(page.headers['x-frame-options']).toBe('DENY');
      expect(page.headers['x-content-type-options']).toBe('nosniff');
    }
    // The API's answers carry them too.
    expect((await app.inject('/api/nothing')).headers['x-content-type-options']).toBe('nosniff');
  });

  it('gives the API docs page the same policy (its scripts are files of its own)', async () => {
    const docs = await app.inject('/api/docs/');
    expect(docs.statusCode).toBe(200);
    expect(docs.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>\s*\S/);
    expect(String(docs.headers['content-security-policy'])).toContain("script-src 'self'");
  });

  it('hashes only inline scripts', () => {
    expect(inlineScriptHashes(PAGE)).toEqual([earlyHash]);
    expect(inlineScriptHashes('<script src="/a.js"></script><script></script>')).toEqual([]);
  });
});
