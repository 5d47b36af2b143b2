import { callApi } from './api-call.ts';
import { createInstallation, type Installation } from './installation.ts';
import { createApiKey, eventually, QUERY_URL, revokeApiKey, startRole, type CreatedApiKey, type RunningRole } from './roles.ts';

type Row = Record<string, any>;
/** pg's rows, as the tests index them. */
type PgRow = any;

/**
 * What a shipper's pipeline test (bulk API, OTLP, Loki) sends to: an installation of its own with
 * keys on and a 256 KiB body limit (a too-large test then needs no large body), the ingester,
 * both sinks and the query service, and an ingest and a read key.
 */
export interface ShipperPipeline {
  installation: Installation;
  ingestKey: string;
  readKey: string;
  /** The logs of `resourceId` as the search API finds them, oldest first, once there are `count`. */
  searched(resourceId: string, count: number): Promise<Row[]>;
  /** Its Postgres rows, oldest first, once there are `count`. */
  rows(resourceId: string, count: number): Promise<PgRow[]>;
  /** Both, once both stores hold `count`. */
  stored(resourceId: string, count: number): Promise<{ hits: Row[]; rows: PgRow[] }>;
  close(): Promise<void>;
}

export async function startShipperPipeline(name: string): Promise<ShipperPipeline> {
  const installation = await createInstallation(name, { LOGFLOW_AUTH: 'on', INGEST_BODY_LIMIT_BYTES: String(256 * 1024) });
  // Four roles start at once on a machine shared with other runs: give them time.
  const roles: RunningRole[] = await Promise.all(['ingester', 'es-sink', 'pg-sink', 'query'].map((role) => startRole(role, installation.env, 180_000)));
  const keys: CreatedApiKey[] = await Promise.all([createApiKey('ingest', installation.env), createApiKey('read', installation.env)]);
  const [ingestKey, readKey] = keys.map((k) => k.key) as [string, string];

  const searched = (resourceId: string, count: number) =>
    eventually(
      async () => {
        const search = new URLSearchParams({ resourceId, size: '100', sort: 'asc' });
        const answer = await callApi(`${QUERY_URL}/api/logs/search?${search}`, readKey);
        if (answer.status !== 200) throw new Error(`search answered ${answer.status}: ${JSON.stringify(answer.body)}`);
        return answer.body.hits.length === count ? (answer.body.hits as Row[]) : undefined;
      },
      30_000,
      300,
    );
  const rows = (resourceId: string, count: number) =>
    eventually(async () => {
      const result = await installation.pool.query('SELECT * FROM logs WHERE resource_id = $1 ORDER BY timestamp', [resourceId]);
      return result.rows.length === count ? result.rows : undefined;
    }, 30_000);

  return {
    installation,
    ingestKey,
    readKey,
    searched,
    rows,
    stored: async (resourceId, count) => ({ hits: await searched(resourceId, count), rows: await rows(resourceId, count) }),
    close: async () => {
      await Promise.all(roles.map((role) => role.stop()));
      for (const { apiKey } of keys) await revokeApiKey(apiKey.id, installation.env).catch(() => undefined);
      await installation.close();
    },
  };
}
