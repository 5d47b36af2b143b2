import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePorts } from './free-ports.ts';
import { esCounts, isolatedPipeline, logRecord, sinkEnv, type IsolatedPipeline } from './sink-fixtures.ts';
import { eventually, startRole, type RunningRole } from './roles.ts';

/** Longer than the sinks' session timeout in these tests (6 s): a member that stopped heart-beating would be thrown out. */
const BULK_DELAY_MS = 15_000;
/** The sink's /metrics, on a port picked free for this run. */
const METRICS_PORT = (await freePorts(1))[0]!;

describe('sinks: a slow Elasticsearch does not cost the ES sink its group membership', () => {
  let pipeline: IsolatedPipeline;
  let proxy: http.Server;
  let sink: RunningRole;
  let delayedBulks = 0;

  beforeAll(async () => {
    pipeline = await isolatedPipeline('slow-es');
    // Elasticsearch behind a proxy that holds the first bulk request for BULK_DELAY_MS.
    const upstream = new URL(pipeline.config.elasticsearch.url);
    proxy = http.createServer((req, res) => {
      const delay = req.url?.includes('_bulk') && delayedBulks++ === 0 ? BULK_DELAY_MS : 0;
      setTimeout(() => {
        const forward = http.request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        forward.on('error', () => res.destroy());
        req.pipe(forward);
      }, delay);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const { port } = proxy.address() as AddressInfo;
    sink = await startRole('es-sink', { ...sinkEnv(pipeline, METRICS_PORT), ELASTICSEARCH_URL: `http://127.0.0.1:${port}` });
  });

  afterAll(async () => {
    await sink?.stop();
    proxy?.closeAllConnections();
    await new Promise((resolve) => proxy?.close(resolve));
    await pipeline?.close();
  });

  it('indexes everything after a bulk request twice as long as the session timeout, without a rebalance', async () => {
    const resourceId = `slow-es-${pipeline.runId}`;
    const started = Date.now();
    // Half, then the other half while the first bulk request is held: the sink merges the
    // batches waiting into one request, so only logs arriving meanwhile make a second one.
    await pipeline.produce(Array.from({ length: 300 }, (_, i) => logRecord({ resourceId, message: `slow ${i}` })));
    await eventually(async () => (delayedBulks > 0 ? true : undefined), 60_000, 100);
    await pipeline.produce(Array.from({ length: 300 }, (_, i) => logRecord({ resourceId, message: `slow ${300 + i}` })));
    await eventually(async () => ((await esCounts(pipeline, resourceId)).docs === 600 ? true : undefined), 60_000, 1_000);
    expect(delayedBulks).toBeGreaterThan(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(BULK_DELAY_MS);

    const metrics = await (await fetch(`http://127.0.0.1:${METRICS_PORT}/metrics`)).text();
    expect(metrics).toMatch(/^logflow_sink_group_joins_total\{[^}]*\} 1$/m);
    expect(sink.output.join('\n')).not.toMatch(/rebalanc|not aware of this member/i);
    expect(await esCounts(pipeline, resourceId)).toEqual({ docs: 600, ids: 600 });
  }, 120_000);
});
