import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AppError } from './errors.ts';
import { createHttpServer, redactUrl } from './http.ts';
import { createLogger } from './logger.ts';

function capturedServer() {
  const lines: string[] = [];
  const logger = createLogger({ logLevel: 'info' }, 'test', new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }));
  return { app: createHttpServer({ logger }), lines };
}

describe('the request log line', () => {
  it('never holds a key sent in the query string, whatever the parameter is called', async () => {
    const { app, lines } = capturedServer();
    app.get('/api/logs/search', async () => ({ ok: true }));
    const key = 'lf_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';
    for (const query of [`api_key=${key}`, `level=error&apiKey=${key}`, `token=s3cr3t-token`, `q=${key}`, `password=hunter22`]) {
      expect((await app.inject(`/api/logs/search?${query}`)).statusCode).toBe(200);
    }
    await app.close();
    const requests = lines.filter((line) => line.includes('"msg":"request"'));
    expect(requests).toHaveLength(5);
    for (const secret of [key, key.slice(3, 23), 's3cr3t-token', 'hunter22']) expect(lines.join('\n')).not.toContain(secret);
    // What is not secret stays readable.
    expect(requests[1]).toContain('"url":"/api/logs/search?level=error&apiKey=%5Bredacted%5D"');
  });

  it('keeps a URL without credentials as it came', () => {
    expect(redactUrl('/api/logs/search?level=error&q=message%3Atimeout')).toBe('/api/logs/search?level=error&q=message%3Atimeout');
    expect(redactUrl('/healthz')).toBe('/healthz');
  });
});

describe('request ids', () => {
  it("are the server's own: a client's x-request-id is logged beside, never taken as the id", async () => {
    const { app, lines } = capturedServer();
    app.get('/thing', async (request) => ({ id: request.id }));
    const answer = await app.inject({ url: '/thing', headers: { 'x-request-id': 'chosen-by-the-client' } });
    await app.close();
    expect(answer.json().id).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer.headers['x-request-id']).toBe(answer.json().id);
    const line = JSON.parse(lines.find((l) => l.includes('"msg":"request"'))!);
    expect(line).toMatchObject({ reqId: answer.json().id, clientRequestId: 'chosen-by-the-client' });
  });
});

describe('the level of a failed request', () => {
  it('is warn for an expected failure, a dependency outage (503) included, and error only for a bug', async () => {
    const { app, lines } = capturedServer();
    app.get('/outage', async () => {
      throw new AppError(503, 'search_unavailable', 'Elasticsearch is unreachable', undefined, { 'retry-after': '5' });
    });
    app.get('/bug', async () => {
      throw new TypeError('cannot read properties of undefined');
    });
    expect((await app.inject('/outage')).statusCode).toBe(503);
    expect((await app.inject('/bug')).statusCode).toBe(500);
    await app.close();
    const parsed = lines.map((line) => JSON.parse(line) as { level: number; msg: string; code?: string });
    expect(parsed.find((line) => line.code === 'search_unavailable')?.level).toBe(40);
    expect(parsed.find((line) => line.msg === 'unhandled error')?.level).toBe(50);
  });
});

describe('a request no route matches', () => {
  it('gets 404 in the one error shape, with its request id', async () => {
    const { app } = capturedServer();
    app.get('/logs', async () => ({ ok: true }));
    const answer = await app.inject({ method: 'POST', url: '/no/such/route?x=1' });
    await app.close();
    expect(answer.statusCode).toBe(404);
    expect(answer.json()).toEqual({ error: { code: 'not_found', message: 'no route POST /no/such/route' }, requestId: answer.headers['x-request-id'] });
  });

  it("is answered by the server's own fallback when it has one, else the same 404", async () => {
    const lines: string[] = [];
    const logger = createLogger({ logLevel: 'info' }, 'test', new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }));
    const app = createHttpServer({ logger, notFound: (request, reply) => (request.url === '/page' ? reply.send({ page: true }) : undefined) });
    const page = await app.inject('/page');
    const other = await app.inject('/other');
    await app.close();
    expect(page.json()).toEqual({ page: true });
    expect(other.statusCode).toBe(404);
    expect(other.json()).toMatchObject({ error: { code: 'not_found', message: 'no route GET /other' } });
  });
});

describe('a request answered before its body arrived', () => {
  /** Posts `bodies` one after the other on one keep-alive connection; each answer's status, connection header and socket. */
  async function postOnOneConnection(port: number, bodies: Buffer[]) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const answers: { status: number; connection: string | undefined; socket: unknown }[] = [];
    try {
      for (const body of bodies) {
        answers.push(
          await new Promise((resolve, reject) => {
            const request = http.request(
              { port, host: '127.0.0.1', method: 'POST', path: '/in', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } },
              (response) => {
                response.resume();
                response.on('end', () => resolve({ status: response.statusCode!, connection: response.headers.connection, socket: request.socket }));
              },
            );
            request.on('error', reject);
            request.end(body);
          }),
        );
      }
    } finally {
      agent.destroy();
    }
    return answers;
  }

  it('has its body read and dropped, so the client gets the 413 and the connection stays usable instead of being reset mid-send', async () => {
    const logger = createLogger({ logLevel: 'silent' }, 'test');
    const app = createHttpServer({ logger, bodyLimit: 1024 });
    app.post('/in', async () => ({ ok: true }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    try {
      const [tooLarge, small] = await postOnOneConnection(port, [Buffer.alloc(4 * 1024 * 1024, 0x20), Buffer.from('{}')]);
      expect(tooLarge).toMatchObject({ status: 413 });
      expect(tooLarge!.connection).not.toBe('close');
      expect(small).toMatchObject({ status: 200 });
      expect(small!.socket).toBe(tooLarge!.socket);
    } finally {
      await app.close();
    }
  });
});
