import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { errors } from '@elastic/elasticsearch';
import { createLogger } from './logger.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger({ logLevel: 'debug' }, 'test', stream) };
}

describe('createLogger', () => {
  it('redacts authorization headers, API keys and passwords wherever they are logged', () => {
    const { lines, logger } = capture();
    const secret = 'lf_secretsecretsecretsecretsecretsecretsecret';
    logger.info({ req: { headers: { authorization: `Bearer ${secret}` } } }, 'request');
    logger.info({ headers: { authorization: `ApiKey ${secret}` } }, 'raw headers');
    logger.info({ key: secret, created: { key: secret }, apiKey: secret }, 'a key');
    logger.info({ password: secret, db: { password: secret } }, 'a password');
    expect(lines).toHaveLength(4);
    for (const line of lines) {
      expect(line).not.toContain(secret);
      expect(line).toContain('[redacted]');
    }
  });
});

describe('error serializing', () => {
  it('logs an Elasticsearch client error by its message and status, not the megabytes of request it carries', () => {
    const { lines, logger } = capture();
    const bulkBody = Buffer.alloc(1024 * 1024, 0x61);
    const error = new errors.ResponseError({
      body: { error: { type: 'es_rejected_execution_exception', reason: 'queue full' }, status: 429 },
      statusCode: 429,
      headers: {},
      warnings: null,
      meta: { request: { params: { method: 'POST', path: '/_bulk', body: bulkBody }, options: {}, id: 1 } } as never,
    });
    logger.warn({ err: error }, 'bulk failed');
    const logged = JSON.parse(lines[0]!) as { err: { type: string; message: string; statusCode: number } };
    expect(lines[0]!.length).toBeLessThan(10_000);
    expect(logged.err).toMatchObject({ type: 'ResponseError', statusCode: 429 });
    expect(logged.err.message).toContain('es_rejected_execution_exception');
  });
});
