import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
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
