import { describe, expect, it } from 'vitest';
import { AppError } from '@logflow/core';
import { BrokenLine } from '../body-parsers.ts';
import { RefusedItem } from '../validate-items.ts';
import { mapDocument, parseBulkLines } from './elastic-bulk.ts';

const ID = '0192b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b';

describe('mapDocument', () => {
  it('maps an ECS document (nested and flat dotted names) to a log, the rest to metadata', () => {
    const nested = mapDocument(
      {
        '@timestamp': '2026-11-28T10:00:00.000Z',
        message: 'payment refused',
        log: { level: 'WARNING', logger: 'payments' },
        service: { name: 'checkout', version: '1.2.3' },
        trace: { id: 'trace-1' },
        span: { id: 'span-1' },
        http: { status: 402 },
      },
      'logs-web',
      undefined,
    );
    expect(nested.item).toEqual({
      timestamp: '2026-11-28T10:00:00.000Z',
      message: 'payment refused',
      level: 'warn',
      resourceId: 'checkout',
      traceId: 'trace-1',
      spanId: 'span-1',
      metadata: { log: { logger: 'payments' }, service: { version: '1.2.3' }, http: { status: 402 } },
    });
    const flat = mapDocument({ '@timestamp': '2026-11-28T10:00:00Z', message: 'm', 'log.level': 'err', 'service.name': 'api', 'ecs.version': '8.10.0' }, undefined, undefined);
    expect(flat.item).toEqual({ timestamp: '2026-11-28T10:00:00Z', message: 'm', level: 'error', resourceId: 'api', metadata: { 'ecs.version': '8.10.0' } });
  });

  it('maps a pino line: msg, numeric level, time in epoch ms; the index names the resource', () => {
    const { item, sources } = mapDocument({ level: 50, time: Date.UTC(2026, 10, 28, 10), pid: 7, hostname: 'box', msg: 'boom' }, 'orders', undefined);
    expect(item).toEqual({ timestamp: '2026-11-28T10:00:00.000Z', message: 'boom', level: 'error', resourceId: 'orders', metadata: { pid: 7, hostname: 'box' } });
    expect(sources).toMatchObject({ resourceId: '_index', message: 'msg', level: 'level' });
  });

  it("keeps LogFlow's own names, and the first present candidate wins (the others stay in metadata)", () => {
    const { item } = mapDocument(
      {
        timestamp: '2026-11-28T10:00:00Z',
        '@timestamp': '2020-01-01T00:00:00Z',
        level: 'info',
        severity: 'debug',
        message: 'm',
        resourceId: 'r',
        traceId: 't',
        spanId: 's',
        commit: 'c',
        metadata: { a: 1 },
      },
      'idx',
      undefined,
    );
    expect(item).toEqual({
      timestamp: '2020-01-01T00:00:00Z',
      level: 'info',
      message: 'm',
      resourceId: 'r',
      traceId: 't',
      spanId: 's',
      commit: 'c',
      metadata: { a: 1, timestamp: '2026-11-28T10:00:00Z', severity: 'debug' },
    });
  });

  it("takes the action's _id as the log id when it is a UUID, and only then", () => {
    expect(mapDocument({ '@timestamp': 'x', message: 'm', level: 'info' }, undefined, ID)).toMatchObject({ item: { id: ID }, sources: { id: '_id' } });
    expect(mapDocument({ '@timestamp': 'x', message: 'm', level: 'info' }, undefined, 'shipper-hash-1').item).not.toHaveProperty('id');
    expect(mapDocument({ '@timestamp': 'x', message: 'm', level: 'info', id: ID }, undefined, ID).item).toMatchObject({ id: ID });
    const conflict = mapDocument({ '@timestamp': 'x', message: 'm', level: 'info', id: '0192b3c4-5d6e-7f80-9a1b-000000000000' }, undefined, ID).item;
    expect(conflict).toEqual(new RefusedItem('id', 'conflict', expect.stringContaining("differs from the action's _id")));
  });

  it('refuses what cannot be a log, with the reason', () => {
    expect(mapDocument('just text', undefined, undefined).item).toEqual(new RefusedItem('(document)', 'invalid_type', 'a document must be a JSON object'));
    expect(mapDocument({ message: 'm', level: 'info' }, undefined, undefined).item).toEqual(new RefusedItem('timestamp', 'required', 'the document has no @timestamp, timestamp or time'));
    expect(mapDocument({ '@timestamp': 'x', level: 'info' }, undefined, undefined).item).toMatchObject({ field: 'message', rule: 'required' });
    expect(mapDocument({ '@timestamp': 'x', message: 'm' }, undefined, undefined).item).toMatchObject({ field: 'level', rule: 'required' });
    expect(mapDocument({ '@timestamp': 'x', message: 'm', level: 'info', host: 'a', metadata: { host: 'b' } }, undefined, undefined).item).toMatchObject({ field: 'host', rule: 'conflict' });
  });

  it('leaves the document it was given untouched', () => {
    const doc = { '@timestamp': 'x', message: 'm', log: { level: 'info' } };
    mapDocument(doc, undefined, undefined);
    expect(doc).toEqual({ '@timestamp': 'x', message: 'm', log: { level: 'info' } });
  });
});

describe('parseBulkLines', () => {
  const doc = { '@timestamp': '2026-11-28T10:00:00Z', message: 'm', level: 'info' };

  it('pairs index and create actions with their documents; update and delete are refused each', () => {
    const actions = parseBulkLines(
      [{ index: { _index: 'a', _id: ID } }, doc, { delete: { _id: '1' } }, { create: {} }, doc, { update: { _id: '2' } }, { doc: {} }, { create: { _index: 'b' } }, new BrokenLine('Unexpected end')],
      'path-index',
    );
    expect(actions.map((a) => [a.operation, a.index, a.id])).toEqual([
      ['index', 'a', ID],
      ['delete', 'path-index', '1'],
      ['create', 'path-index', undefined],
      ['update', 'path-index', '2'],
      ['create', 'b', undefined],
    ]);
    expect(actions[0]!.item).toMatchObject({ id: ID, resourceId: 'a' });
    expect(actions[1]!.item).toMatchObject({ rule: 'unsupported_operation', message: expect.stringContaining('delete is not supported') });
    expect(actions[3]!.item).toMatchObject({ rule: 'unsupported_operation' });
    expect(actions[4]!.item).toMatchObject({ rule: 'invalid_json' });
  });

  it('refuses the whole request for a line that is no action, an action without its document, or no action at all', () => {
    for (const lines of [[doc], [new BrokenLine('x'), doc], [{ index: {}, create: {} }, doc], [{ index: { _id: 5 } }, doc], [{ index: {} }], []]) {
      expect(() => parseBulkLines(lines, undefined)).toThrow(AppError);
    }
  });
});
