import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('defaults to the local stack', () => {
    const config = loadConfig({});
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.kafka.topic).toBe('logflow.logs');
    expect(config.ingester.port).toBe(3000);
    expect(config.query.port).toBe(5000);
  });

  it('turns API keys on by default and caches key lookups at most 1 s (revocation)', () => {
    expect(loadConfig({}).auth).toMatchObject({ enabled: true, keyCacheMs: 500, rateLimitPerMinute: 6_000 });
    expect(loadConfig({ LOGFLOW_AUTH: 'off' }).auth.enabled).toBe(false);
    expect(loadConfig({}).auth.failures).toEqual({ max: 20, windowMs: 300_000 });
    expect(loadConfig({ AUTH_MAX_FAILURES_PER_ADDRESS: '5', AUTH_FAILURE_WINDOW: '1h' }).auth.failures).toEqual({ max: 5, windowMs: 3_600_000 });
    expect(() => loadConfig({ LOGFLOW_AUTH: 'no' })).toThrow(/LOGFLOW_AUTH/);
    expect(() => loadConfig({ AUTH_KEY_CACHE_MS: '5000' })).toThrow(/AUTH_KEY_CACHE_MS/);
  });

  it('listens on every interface with keys on, and only on loopback with keys off unless the operator opens it', () => {
    expect(loadConfig({}).query.host).toBe('0.0.0.0');
    const off = loadConfig({ LOGFLOW_AUTH: 'off' });
    expect([off.ingester.host, off.query.host, off.sinks.es.host, off.sinks.pg.host]).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1', '127.0.0.1']);
    expect(off.auth.openToNetwork).toBe(false);
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', 'localhost']) expect(loadConfig({ LOGFLOW_AUTH: 'off', LISTEN_HOST: host }).query.host).toBe(host);
    for (const host of ['0.0.0.0', '::', '192.168.1.20']) {
      expect(() => loadConfig({ LOGFLOW_AUTH: 'off', LISTEN_HOST: host })).toThrow(/LISTEN_HOST: with LOGFLOW_AUTH=off every API is open.*LOGFLOW_AUTH_OFF_ALLOW_REMOTE=true/);
    }
    const opened = loadConfig({ LOGFLOW_AUTH: 'off', LISTEN_HOST: '0.0.0.0', LOGFLOW_AUTH_OFF_ALLOW_REMOTE: 'true' });
    expect(opened.query.host).toBe('0.0.0.0');
    expect(opened.auth.openToNetwork).toBe(true);
  });

  it('has no default password for the SQL reader login, and takes an empty one as none', () => {
    expect(loadConfig({}).postgres.readerPassword).toBeUndefined();
    expect(loadConfig({ LOGFLOW_READER_PASSWORD: '' }).postgres.readerPassword).toBeUndefined();
    expect(loadConfig({ LOGFLOW_READER_PASSWORD: 'chosen-one' }).postgres.readerPassword).toBe('chosen-one');
  });

  it('splits a broker list', () => {
    expect(loadConfig({ KAFKA_BROKERS: 'a:9092, b:9093' }).kafka.brokers).toEqual(['a:9092', 'b:9093']);
  });

  it('reads the optional timestamp window as durations, off by default', () => {
    expect(loadConfig({}).ingester.timestampWindow).toEqual({ maxPastMs: undefined, maxFutureMs: undefined });
    const config = loadConfig({ INGEST_MAX_PAST: '30d', INGEST_MAX_FUTURE: '15m' });
    expect(config.ingester.timestampWindow).toEqual({ maxPastMs: 30 * 86_400_000, maxFutureMs: 15 * 60_000 });
    expect(() => loadConfig({ INGEST_MAX_PAST: 'a week' })).toThrow(/INGEST_MAX_PAST: expected a duration like 90s/);
  });

  it('names every bad variable and what it got', () => {
    const load = () => loadConfig({ KAFKA_BROKERS: 'nohostport', INGESTER_PORT: '70000', REDIS_URL: 'http://x' });
    expect(load).toThrow(ConfigError);
    try {
      load();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('KAFKA_BROKERS: expected host:port (got "nohostport")');
      expect(message).toContain('INGESTER_PORT');
      expect(message).toContain('REDIS_URL: expected a redis:// URL');
    }
  });
});

describe('a rejected secret setting', () => {
  it('is named with its rule but its value is never echoed (a URL with a password, the reader password)', () => {
    const secrets = {
      DATABASE_URL: 'mysql://logflow:hunter2-db@db.internal:3306/logflow',
      REDIS_URL: 'http://:hunter2-redis@cache.internal:6379',
      ELASTICSEARCH_URL: 'not a url hunter2-es',
      LOGFLOW_READER_PASSWORD: 'hunter2',
    };
    let message = '';
    try {
      loadConfig(secrets);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('DATABASE_URL: expected a postgres:// URL');
    expect(message).toContain('REDIS_URL: expected a redis:// URL');
    expect(message).toContain('ELASTICSEARCH_URL');
    expect(message).toContain('LOGFLOW_READER_PASSWORD: at least 8 characters');
    expect(message).not.toContain('hunter2');
  });
});

describe('admin job settings', () => {
  it('reconciles every 5 minutes, keeps everything and shares the engines as installation "logflow" by default', () => {
    const config = loadConfig({});
    expect(config.adminJobs).toMatchObject({ reconcileEveryMs: 300_000, settleMs: 30_000, retentionMs: undefined, bullPrefix: 'bull' });
    expect(config.elasticsearch.indexPrefix).toBe('logflow-logs');
    expect(config.postgres.schema).toBe('public');
    expect(config.kafka.groupPrefix).toBe('');
  });

  it('turns schedules off with "off" and reads retention as a duration', () => {
    const config = loadConfig({ RECONCILE_EVERY: 'off', RETENTION: '30d', RETENTION_EVERY: '6h' });
    expect(config.adminJobs).toMatchObject({ reconcileEveryMs: undefined, retentionMs: 30 * 86_400_000, retentionEveryMs: 6 * 3_600_000 });
  });

  it('refuses names that would break an index, a schema or a schedule', () => {
    expect(() => loadConfig({ ES_INDEX_PREFIX: 'Logs' })).toThrow(/ES_INDEX_PREFIX/);
    expect(() => loadConfig({ DATABASE_SCHEMA: 'x; drop table logs' })).toThrow(/DATABASE_SCHEMA/);
    expect(() => loadConfig({ RECONCILE_EVERY: '0m' })).toThrow(/RECONCILE_EVERY/);
  });
});
