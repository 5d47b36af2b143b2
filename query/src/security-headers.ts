import helmet from '@fastify/helmet';
import type { HttpServer } from '@logflow/core';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** `'sha256-…'` of every inline script of a page: what the CSP allows to run instead of 'unsafe-inline'. */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const [, attributes, body] of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    if (/\bsrc\s*=/i.test(attributes!) || body!.length === 0) continue;
    hashes.push(`'sha256-${createHash('sha256').update(body!, 'utf8').digest('base64')}'`);
  }
  return hashes;
}

/**
 * Security headers on every answer of the query service (@fastify/helmet): a Content-Security-
 * Policy the dashboard works with, no framing (clickjacking), nosniff. Scripts: the build's own
 * files and the inline early-search script of index.html by its hash, nothing else. Styles allow
 * inline ones: the component library (naive-ui) writes its styles into <style> elements at run
 * time. Requests stay on plain HTTP where served so (no upgrade-insecure-requests, no HSTS: TLS is
 * the proxy's in front of it).
 */
export async function installSecurityHeaders(app: HttpServer, webRoot: string | undefined): Promise<void> {
  const index = webRoot === undefined ? undefined : join(webRoot, 'index.html');
  const scriptHashes = index && existsSync(index) ? inlineScriptHashes(readFileSync(index, 'utf8')) : [];
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", ...scriptHashes],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    strictTransportSecurity: false,
  });
}
