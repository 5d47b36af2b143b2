import { describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey, keyFromAuthorization, resourcePatternSchema, roleAllows, sqlPasswordFor } from './api-keys.ts';

describe('API keys', () => {
  it('are 256 random bits with a prefix, never the same twice', () => {
    const key = generateApiKey();
    expect(key).toMatch(/^lf_[A-Za-z0-9_-]{43}$/);
    expect(generateApiKey()).not.toBe(key);
  });

  it('are stored as SHA-256, and their SQL password is another derivation', () => {
    const key = generateApiKey();
    expect(hashApiKey(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(key)).toBe(hashApiKey(key));
    expect(sqlPasswordFor(key)).not.toContain(hashApiKey(key));
  });

  it('are read from Bearer, ApiKey and Basic (the key as the password) authorization headers only', () => {
    expect(keyFromAuthorization('Bearer lf_abc')).toBe('lf_abc');
    expect(keyFromAuthorization('apikey lf_abc')).toBe('lf_abc');
    const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;
    expect(keyFromAuthorization(basic('tenant-1:lf_abc'))).toBe('lf_abc');
    expect(keyFromAuthorization(basic(':lf_abc'))).toBe('lf_abc');
    expect(keyFromAuthorization(basic('lf_abc'))).toBeUndefined();
    expect(keyFromAuthorization(basic('user:'))).toBeUndefined();
    expect(keyFromAuthorization(basic(`user:${'k'.repeat(513)}`))).toBeUndefined();
    expect(keyFromAuthorization(`Bearer ${'k'.repeat(513)}`)).toBeUndefined();
    expect(keyFromAuthorization('Bearer')).toBeUndefined();
    expect(keyFromAuthorization(undefined)).toBeUndefined();
  });

  it('grant admin everything, ingest and read only their part', () => {
    expect(roleAllows('admin', 'ingest')).toBe(true);
    expect(roleAllows('admin', 'admin')).toBe(true);
    expect(roleAllows('read', 'read')).toBe(true);
    expect(roleAllows('read', 'ingest')).toBe(false);
    expect(roleAllows('read', 'admin')).toBe(false);
    expect(roleAllows('ingest', 'read')).toBe(false);
    expect(roleAllows('ingest', 'public')).toBe(true);
  });

  it('accept resource patterns without characters that would need escaping', () => {
    expect(resourcePatternSchema.safeParse('payments-*').success).toBe(true);
    expect(resourcePatternSchema.safeParse('server_1?').success).toBe(true);
    expect(resourcePatternSchema.safeParse('a%b').success).toBe(false);
    expect(resourcePatternSchema.safeParse('a\\*').success).toBe(false);
    expect(resourcePatternSchema.safeParse('').success).toBe(false);
  });
});
