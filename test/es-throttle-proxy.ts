import http from 'node:http';

/**
 * An HTTP proxy in front of Elasticsearch for the chaos run. Everything passes through, except
 * what a fault switches on for `_bulk` requests:
 * - `throttle`: the whole request answered 429, as a node whose write queue is full;
 * - `rejectItems`: a share of the items answered 429 `es_rejected_execution_exception` inside a
 *   200 answer (the others indexed), as a busy node does item by item;
 * - `dropItems`: items of one resource whose id matches are answered 201 without being
 *   forwarded: loss the sink cannot see, which the chaos oracle must catch (its self-check).
 * It also counts the items Elasticsearch itself refused, by status and type (the flood-stage
 * block's 403 `cluster_block_exception`).
 */
export interface ThrottleProxy {
  url: string;
  throttle(on: boolean): void;
  /** Answers 429 to each bulk item whose id `pick` selects; undefined: none. */
  rejectItems(pick: ((id: string) => boolean) | undefined): void;
  /** Acknowledges without forwarding each item of `resourceId` whose id `pick` selects; undefined: none. */
  dropItems(drop: { resourceId: string; pick: (id: string) => boolean } | undefined): void;
  /** Bulk requests answered 429 so far. */
  rejected(): number;
  /** Items answered 429 by the proxy so far. */
  itemsRejected(): number;
  /** Ids acknowledged and never forwarded. */
  dropped(): ReadonlySet<string>;
  /** Forwards each item of `resourceId` whose id `pick` selects changed: metadata dropped, message cut to 10 characters. */
  alterItems(alter: { resourceId: string; pick: (id: string) => boolean } | undefined): void;
  /** Ids forwarded changed. */
  altered(): ReadonlySet<string>;
  /** Items Elasticsearch refused, by `status type`, so far. */
  refusedByElasticsearch(): Record<string, number>;
  close(): Promise<void>;
}

const REJECTION = JSON.stringify({
  error: { type: 'es_rejected_execution_exception', reason: 'rejected execution of coordinating operation (chaos proxy)' },
  status: 429,
});
const ITEM_REJECTION = { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'rejected execution of primary operation (chaos proxy)' } };

interface BulkLine {
  action: string;
  source: string;
  id: string;
  resourceId: string | undefined;
}

/** The NDJSON body's action and source pairs (every action the sink sends has a source). */
function parseBulk(body: string): BulkLine[] {
  const lines = body.split('\n').filter((line) => line.length > 0);
  const pairs: BulkLine[] = [];
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const source = JSON.parse(lines[i + 1]!) as { id?: string; resourceId?: string };
    pairs.push({ action: lines[i]!, source: lines[i + 1]!, id: String(source.id), resourceId: source.resourceId });
  }
  return pairs;
}

const readBody = (stream: http.IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });

export async function startThrottleProxy(targetUrl: string): Promise<ThrottleProxy> {
  const target = new URL(targetUrl);
  let throttling = false;
  let rejected = 0;
  let itemsRejected = 0;
  let reject: ((id: string) => boolean) | undefined;
  let drop: { resourceId: string; pick: (id: string) => boolean } | undefined;
  const dropped = new Set<string>();
  let alter: { resourceId: string; pick: (id: string) => boolean } | undefined;
  const altered = new Set<string>();
  const refused: Record<string, number> = {};
  const agent = new http.Agent({ keepAlive: true });

  const forward = (request: http.IncomingMessage, body: Buffer | undefined, headers: http.OutgoingHttpHeaders) =>
    new Promise<http.IncomingMessage>((resolve, fail) => {
      const upstream = http.request({ host: target.hostname, port: target.port, method: request.method, path: request.url, headers, agent }, resolve);
      upstream.on('error', fail);
      if (body) upstream.end(body);
      else request.pipe(upstream);
    });

  /** A bulk request: held whole, some items answered here, the rest forwarded, the answers merged in request order. */
  async function bulk(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const pairs = parseBulk((await readBody(request)).toString('utf8'));
    const answers: (Record<string, unknown> | undefined)[] = pairs.map((pair) => {
      const kind = Object.keys(JSON.parse(pair.action) as object)[0]!;
      if (drop && pair.resourceId === drop.resourceId && drop.pick(pair.id)) {
        dropped.add(pair.id);
        return { [kind]: { status: 201 } };
      }
      if (alter && pair.resourceId === alter.resourceId && alter.pick(pair.id)) {
        const { metadata: _dropped, ...rest } = JSON.parse(pair.source) as { message: string; metadata?: unknown };
        pair.source = JSON.stringify({ ...rest, message: rest.message.slice(0, 10) });
        altered.add(pair.id);
      }
      if (reject?.(pair.id)) {
        itemsRejected++;
        return { [kind]: ITEM_REJECTION };
      }
      return undefined;
    });
    const sent = pairs.filter((_, i) => answers[i] === undefined);
    let upstream: { status: number; headers: http.IncomingHttpHeaders; items: Record<string, { status: number; error?: { type?: string } }>[] } | undefined;
    if (sent.length > 0) {
      const body = Buffer.from(sent.map((pair) => `${pair.action}\n${pair.source}\n`).join(''));
      // Plain bytes back, to read the items.
      const headers = { ...request.headers, 'content-length': String(body.length) };
      delete headers['accept-encoding'];
      const answer = await forward(request, body, headers);
      const text = (await readBody(answer)).toString('utf8');
      if ((answer.statusCode ?? 502) >= 300) {
        response.writeHead(answer.statusCode ?? 502, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' }).end(text);
        return;
      }
      const parsed = JSON.parse(text) as { items?: Record<string, { status: number; error?: { type?: string } }>[] };
      upstream = { status: answer.statusCode!, headers: answer.headers, items: parsed.items ?? [] };
      for (const item of upstream.items) {
        const result = Object.values(item)[0]!;
        if (result.status >= 300) {
          const key = `${result.status} ${result.error?.type ?? ''}`.trim();
          refused[key] = (refused[key] ?? 0) + 1;
        }
      }
    }
    const forwarded = upstream?.items ?? [];
    let next = 0;
    const items = answers.map((answer) => answer ?? forwarded[next++]);
    const errors = items.some((item) => item && Object.values(item)[0] && (Object.values(item)[0] as { status: number }).status >= 300);
    response.writeHead(200, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' }).end(JSON.stringify({ errors, items }));
  }

  const server = http.createServer((request, response) => {
    const isBulk = request.url?.includes('_bulk') ?? false;
    if (throttling && isBulk) {
      rejected++;
      request.resume();
      response.writeHead(429, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' }).end(REJECTION);
      return;
    }
    if (isBulk && request.method === 'POST') {
      bulk(request, response).catch(() => response.destroy());
      return;
    }
    forward(request, undefined, request.headers).then(
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
      () => response.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    throttle(on) {
      throttling = on;
    },
    rejectItems(pick) {
      reject = pick;
    },
    dropItems(which) {
      drop = which;
    },
    rejected: () => rejected,
    itemsRejected: () => itemsRejected,
    dropped: () => dropped,
    alterItems(which) {
      alter = which;
    },
    altered: () => altered,
    refusedByElasticsearch: () => ({ ...refused }),
    close() {
      server.closeAllConnections();
      agent.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
