import { describe, expect, it } from 'vitest';
import { build } from '../test-helper.ts';

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
