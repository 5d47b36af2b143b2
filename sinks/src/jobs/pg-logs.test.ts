import { describe, expect, it } from 'vitest';
import { toDocument } from './pg-logs.ts';

describe('toDocument', () => {
  const row = {
    id: '01a2140b-87bc-7699-b30d-76c3ef8d3c4c',
    received_ms: String(Date.parse('2026-11-25T18:00:00.123Z')),
    timestamp_ms: String(Date.parse('2023-09-15T08:00:00.000Z')),
    level: 'error',
    message: 'Failed to connect to "DB"\n',
    resource_id: 'server-1234',
    trace_id: null,
    span_id: null,
    commit: '5e5342f',
    metadata: '{"n": null, "parentResourceId": "server-0987"}',
  };

  it('writes the record as the ingester does: same fields and order, optional ones left out, metadata as it was', () => {
    const doc = toDocument(row);
    const record = {
      id: row.id,
      receivedAt: '2026-11-25T18:00:00.123Z',
      level: 'error',
      message: 'Failed to connect to "DB"\n',
      timestamp: '2023-09-15T08:00:00.000Z',
      resourceId: 'server-1234',
      commit: '5e5342f',
      metadata: { n: null, parentResourceId: 'server-0987' },
    };
    expect(JSON.parse(doc.json)).toEqual(record);
    expect(Object.keys(JSON.parse(doc.json))).toEqual(Object.keys(record));
    expect(doc).toMatchObject({ id: row.id, receivedAt: '2026-11-25T18:00:00.123Z' });
  });
});
