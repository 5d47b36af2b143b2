import type { ApiKeyRole } from '@logflow/common';
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';

/** What a route asks of its caller; `public` routes need no key. */
export type Access = 'public' | 'ingest' | 'read' | 'admin';

/** Admin keys may do everything; ingest and read keys only their own part. */
const GRANTS: Record<ApiKeyRole, readonly Access[]> = {
  ingest: ['ingest'],
  read: ['read'],
  admin: ['ingest', 'read', 'admin'],
};

export function roleAllows(role: ApiKeyRole, access: Access): boolean {
  return access === 'public' || GRANTS[role].includes(access);
}

/**
 * A resourceId pattern: `*` any run of characters, `?` one. The characters are limited to what
 * needs no escaping in an Elasticsearch wildcard query, nor in SQL LIKE beyond `_`.
 */
export const resourcePatternSchema = z.string().regex(/^[A-Za-z0-9._:/@*?-]{1,256}$/, 'letters, digits, ".", "_", ":", "/", "@", "-" and the wildcards * and ?, up to 256');

export const KEY_PREFIX = 'lf_';
const KEY_BYTES = 32;

/** A new key: 256 random bits, base64url, recognisable by its prefix (secret scanners, logs). */
export function generateApiKey(): string {
  return `${KEY_PREFIX}${randomBytes(KEY_BYTES).toString('base64url')}`;
}

/**
 * How a key is stored. A key of 256 random bits cannot be guessed from its SHA-256, so a slow
 * password hash (scrypt) would add nothing but latency to every request.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * The Postgres password of a scoped key's SQL login, derived from the key itself: only a
 * request that carries the key can log in, and the database stores nothing that gives it.
 */
export function sqlPasswordFor(key: string): string {
  return createHash('sha256').update(`logflow-sql-login:${key}`).digest('base64url');
}

/**
 * The key of `Authorization: Bearer <key>`, `ApiKey <key>`, or `Basic` with the key as the
 * password (any user name): shippers that only know user and password (Promtail, Alloy, Fluent
 * Bit, Filebeat) send it that way, as to Grafana Cloud. Undefined otherwise.
 */
export function keyFromAuthorization(header: string | undefined): string | undefined {
  const match = /^(Bearer|ApiKey|Basic)\s+(\S{1,1024})\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  if (match[1]!.toLowerCase() !== 'basic') return match[2]!.length <= 512 ? match[2] : undefined;
  const credentials = Buffer.from(match[2]!, 'base64').toString('utf8');
  const password = credentials.slice(credentials.indexOf(':') + 1);
  return credentials.includes(':') && /^\S{1,512}$/.test(password) ? password : undefined;
}
