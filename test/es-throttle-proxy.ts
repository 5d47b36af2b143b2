import http from 'node:http';

/**
 * An HTTP proxy in front of Elasticsearch that can answer every bulk request with 429, as a
 * node does whose write queue is full, while everything else passes through.
 */
export interface ThrottleProxy {
  url: string;
  throttle(on: boolean): void;
  /** Bulk requests answered 429 so far. */
  rejected(): number;
  close(): Promise<void>;
}

const REJECTION = JSON.stringify({
  error: { type: 'es_rejected_execution_exception', reason: 'rejected execution of coordinating operation (chaos proxy)' },
  status: 429,
});

export async function startThrottleProxy(targetUrl: string): Promise<ThrottleProxy> {
  const target = new URL(targetUrl);
  let throttling = false;
  let rejected = 0;
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((request, response) => {
    if (throttling && request.url?.includes('_bulk')) {
      rejected++;
      request.resume();
      response.writeHead(429, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' }).end(REJECTION);
      return;
    }
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: request.method, path: request.url, headers: request.headers, agent },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    throttle(on) {
      throttling = on;
    },
    rejected: () => rejected,
    close() {
      server.closeAllConnections();
      agent.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
