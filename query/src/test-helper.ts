import { BaseConnection, Client, errors, type estypes } from '@elastic/elasticsearch';
import { onTestFinished } from 'vitest';
import { loadConfig, createLogger, indexNames } from '@logflow/core';
import { fakeAuth, FakeAuditLog, FakeKeyStore } from '@logflow/core/testing';
import { buildQueryApp } from './app.ts';
import { SqlConsole } from './sql/sql-console.ts';
import { DEFAULT_TAIL_OPTIONS } from './tail.ts';

// For unit tests only: the query app answered with `inject`, no engine behind it.

export interface EsRequest {
  method: string;
  path: string;
  body: unknown;
}

/** What the fake Elasticsearch answers: a status and JSON body, or an error of the connection (Elasticsearch unreachable). */
export type EsAnswer = { statusCode: number; body: unknown } | Error;

/** A search that matched nothing. */
export const EMPTY_SEARCH: estypes.SearchResponse = {
  took: 1,
  timed_out: false,
  _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
  hits: { total: { value: 0, relation: 'eq' }, hits: [] },
};

/**
 * Elasticsearch as the query routes see it, through the real client: the client's connection
 * is replaced by one that asks `answer` (an empty search by default). `requests` is what it was sent.
 */
export class FakeElasticsearch {
  readonly requests: EsRequest[] = [];
  answer: (request: EsRequest) => EsAnswer = () => ({ statusCode: 200, body: EMPTY_SEARCH });
  readonly client: Client;

  constructor() {
    const received = (request: EsRequest) => {
      this.requests.push(request);
      return this.answer(request);
    };
    class FakeConnection extends BaseConnection {
      // The transport calls the buffered form only: the routes never ask for a stream.
      override async request(params: { method: string; path: string; body?: unknown }): Promise<never> {
        const request = { method: params.method, path: params.path, body: typeof params.body === 'string' ? (JSON.parse(params.body) as unknown) : params.body };
        const answer = received(request);
        if (answer instanceof Error) throw answer;
        return {
          statusCode: answer.statusCode,
          headers: { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' },
          body: JSON.stringify(answer.body),
        } as never;
      }
    }
    this.client = new Client({ node: 'http://127.0.0.1:9200', Connection: FakeConnection, maxRetries: 0 });
  }

  /** Answers every request as Elasticsearch being unreachable. */
  unreachable(): void {
    this.answer = () => new errors.ConnectionError('connect ECONNREFUSED 127.0.0.1:9200');
  }
}

export interface TestQuery {
  app: Awaited<ReturnType<typeof buildQueryApp>>;
  elasticsearch: FakeElasticsearch;
  keys: FakeKeyStore;
  audit: FakeAuditLog;
}

/**
 * The query service's app as `startQuery` builds it from the configuration `env` gives (the
 * defaults otherwise), with Elasticsearch, Postgres and Redis faked, and without the parts
 * that need them to start (DLQ and job admin, saved searches, freshness); closed when the
 * test ends. The SQL console has no reader login (LOGFLOW_READER_PASSWORD unset). Keys are
 * off unless `auth` is true.
 */
export async function build(env: Record<string, string> = {}, { auth = false } = {}): Promise<TestQuery> {
  const config = loadConfig({ LOG_LEVEL: 'silent', ...env });
  const elasticsearch = new FakeElasticsearch();
  const keys = new FakeKeyStore();
  const audit = new FakeAuditLog();
  const app = await buildQueryApp({
    logger: createLogger(config, 'query'),
    elasticsearch: elasticsearch.client,
    names: indexNames(config.elasticsearch.indexPrefix),
    auth: { ...fakeAuth(keys), enabled: auth, audit: audit.asAuditLog },
    services: {
      sqlConsole: new SqlConsole(undefined, config.query.sql),
      tail: { ...DEFAULT_TAIL_OPTIONS, ...config.query.tail },
      perKey: config.query.perKey,
      maxPatternClauses: config.query.maxPatternClauses,
    },
  });
  onTestFinished(() => app.close());
  return { app, elasticsearch, keys, audit };
}
