import { describe, expect, it } from 'vitest';
import { build } from '../test-helper.ts';
import { schemaOf } from './sql.ts';

describe('POST /api/sql', () => {
  it('refuses a body without a statement, or with limits out of range, naming each field', async () => {
    const { app } = await build();
    const fieldsOf = async (payload: Record<string, unknown>) => {
      const answer = await app.inject({ method: 'POST', url: '/api/sql', payload });
      expect(answer.statusCode, JSON.stringify(payload)).toBe(400);
      return answer.json<{ error: { details: { field: string; rule: string }[] } }>().error.details.map((d) => [d.field, d.rule]);
    };
    expect(await fieldsOf({})).toEqual([['body.sql', 'invalid_type']]);
    expect(await fieldsOf({ sql: '' })).toEqual([['body.sql', 'too_small']]);
    expect(await fieldsOf({ sql: 'SELECT 1', maxRows: 0, timeoutMs: 'soon' })).toEqual([
      ['body.maxRows', 'too_small'],
      ['body.timeoutMs', 'invalid_type'],
    ]);
  });

  it('needs a read key with keys on', async () => {
    const { app, keys } = await build({}, { auth: true });
    keys.add('lf_ingest', 'ingest');
    const answer = await app.inject({ method: 'POST', url: '/api/sql', payload: { sql: 'SELECT 1' }, headers: { authorization: 'Bearer lf_ingest' } });
    expect(answer.statusCode).toBe(403);
  });
});

describe('GET /api/sql/schema', () => {
  it('groups information_schema rows into tables of columns, in their order', () => {
    const rows = [
      ['error_logs', 'id', 'uuid'],
      ['logs', 'id', 'uuid'],
      ['logs', 'resource_id', 'text'],
      ['logs', 'timestamp', 'timestamp with time zone'],
    ];
    expect(schemaOf(rows)).toEqual({
      tables: [
        { name: 'error_logs', columns: [{ name: 'id', type: 'uuid' }] },
        {
          name: 'logs',
          columns: [
            { name: 'id', type: 'uuid' },
            { name: 'resource_id', type: 'text' },
            { name: 'timestamp', type: 'timestamp with time zone' },
          ],
        },
      ],
    });
  });

  it('needs a read key with keys on', async () => {
    const { app, keys } = await build({}, { auth: true });
    keys.add('lf_ingest', 'ingest');
    const answer = await app.inject({ method: 'GET', url: '/api/sql/schema', headers: { authorization: 'Bearer lf_ingest' } });
    expect(answer.statusCode).toBe(403);
  });
});
