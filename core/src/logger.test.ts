import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { errors } from '@elastic/elasticsearch';
import { createLogger, resolveLogFormat } from './logger.ts';

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

describe('log format', () => {
  function captureAs(logFormat: 'pretty' | 'json') {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    return { lines, logger: createLogger({ logLevel: 'info', logFormat }, 'ingester', stream) };
  }

  it('writes one coloured line per event for a person (the stack of an error indented below it), secrets redacted as in JSON', () => {
    const { lines, logger } = captureAs('pretty');
    logger.info({ reqId: 'req-1', statusCode: 202, apiKey: 'lf_secret' }, 'request completed');
    logger.error({ err: new Error('Kafka is gone') }, 'could not produce');
    const events = lines.filter((line) => /^\[\d\d:\d\d:\d\d\.\d{3}\]/.test(line));
    expect(events).toHaveLength(2);
    expect(events[0]).toMatch(/INFO.*\(ingester\).*request completed.*"reqId":"req-1".*\[redacted\]/);
    expect(events[0]).not.toContain('lf_secret');
    expect(events[0]).toContain('\u001b['); // ANSI colour
    expect(events[1]).toMatch(/ERROR.*could not produce/);
    // The stack, below its event and indented.
    expect(lines.slice(lines.indexOf(events[1]!) + 1).every((line) => line.startsWith('    '))).toBe(true);
    expect(lines.join('\n')).toContain('Kafka is gone');
    expect(() => JSON.parse(events[0]!)).toThrow();
  });

  it('writes JSON lines for anything that reads the output', () => {
    const { lines, logger } = captureAs('json');
    logger.info({ reqId: 'req-1' }, 'request completed');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 30, name: 'ingester', reqId: 'req-1', msg: 'request completed' });
  });

  it('chooses pretty on a terminal only when asked for auto', () => {
    expect(resolveLogFormat('auto', true)).toBe('pretty');
    expect(resolveLogFormat('auto', false)).toBe('json');
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('pretty', false)).toBe('pretty');
    expect(resolveLogFormat(undefined, true)).toBe('json');
  });
});
