import { describe, expect, it } from 'vitest';
import { AppError } from '@logflow/core';
import { BrokenLine } from '../body-parsers.ts';
import { MappedLog, RefusedItem, validateItems, type ItemError } from '../validate-items.ts';
import { bulkItems, EMPTY_ACTION_LINES, mapDocument, parseBulkLines, toValidationItem, type BulkAction } from './elastic-bulk.ts';

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
    const withMetadata = { '@timestamp': 'x', message: 'm', level: 'info', host: 'a', metadata: { pid: 1 } };
    expect(mapDocument(withMetadata, undefined, undefined).item).toMatchObject({ metadata: { pid: 1, host: 'a' } });
    expect(withMetadata.metadata).toEqual({ pid: 1 });
  });
});

describe('toValidationItem', () => {
  const NOW = Date.parse('2026-11-28T12:00:00Z');
  const documents: unknown[] = [
    { '@timestamp': '2026-11-28T10:00:00Z', message: 'm', level: 'INFO', service: { name: 'api' }, metadata: { a: 1 } },
    { '@timestamp': '2026-11-28T10:00:00Z', message: 'm', 'log.level': 'warning', trace: { id: 't' }, span: { id: 's' }, commit: 'c', host: 'h' },
    { time: Date.UTC(2026, 10, 28), msg: 'pino', level: 30, pid: 7 },
    { '@timestamp': '2026-11-28T10:00:00Z', message: 'm', level: 'loud' },
    { '@timestamp': 'yesterday', message: 'm', level: 'info' },
    { '@timestamp': '2026-11-28T10:00:00Z', message: '', level: 'info' },
    { '@timestamp': '2026-11-28T10:00:00Z', message: 42, level: 'info' },
    { '@timestamp': '2026-11-28T10:00:00Z', message: 'm', level: 'info', resourceId: 'r'.repeat(513) },
    { '@timestamp': '2026-11-28T10:00:00Z', message: 'm', level: 'info', traceId: 7 },
    { '@timestamp': '2026-11-28T10:00:00Z', message: 'm', level: 'info', id: 'not-a-uuid' },
    { '@timestamp': '2026-11-28T10:00:00Z', message: 'm', level: 'info', id: ID },
    { '@timestamp': '2026-11-28T10:00:00Z', message: 'm', level: 'info', metadata: { deep: { s: 'x'.repeat(40_000) } } },
    // Not an object: kept as the metadata key `metadata`.
    { '@timestamp': '2026-11-28T10:00:00Z', message: 'm', level: 'info', metadata: 'not an object' },
    { '@timestamp': '2026-11-28T10:00:00Z', message: 'm', level: ['info'] },
    'not a document',
  ];

  it('gives validation what the schema alone gives: the same logs taken, the same refusals with field and rule', () => {
    const mapped = documents.map((doc) => mapDocument(doc, 'idx', undefined).item);
    const viaSchema = validateItems(mapped, {}, NOW);
    const viaTyped = validateItems(mapped.map(toValidationItem), {}, NOW);
    expect(viaTyped.errors).toEqual(viaSchema.errors);
    expect(viaTyped.valid).toEqual(viaSchema.valid);
    expect(viaTyped.valid.map((v) => v.index)).toEqual([0, 1, 2, 10, 12]);
    expect(viaTyped.errors.map((e) => e.index)).toEqual([3, 4, 5, 6, 7, 8, 9, 11, 13, 14]);
  });

  it('takes the typed path only for a log whose fields have their types; the others, and refusals, go as they are', () => {
    const typed = mapDocument(documents[0], undefined, undefined).item;
    expect(toValidationItem(typed)).toEqual(new MappedLog(typed as never));
    for (const at of [6, 8, 13]) {
      const { item } = mapDocument(documents[at], undefined, undefined);
      expect(toValidationItem(item), `document ${at}`).toBe(item);
    }
    const refused = new RefusedItem('timestamp', 'required', 'no timestamp');
    expect(toValidationItem(refused)).toBe(refused);
  });
});

describe('bulkItems', () => {
  const action = (operation: BulkAction['operation'], index: string | undefined, id: string | undefined, sources: BulkAction['sources'] = {}): BulkAction => ({
    operation,
    index,
    id,
    item: {},
    sources,
  });

  it("answers each action in order as Elasticsearch does: 201 created with the log's id, or 400 with the type and every reason", () => {
    const actions = [
      action('index', 'web', undefined),
      action('create', undefined, 'a', { level: 'log.level' }),
      action('index', undefined, ID),
      action('delete', 'web', 'x'),
      action('create', undefined, undefined),
      action('update', undefined, undefined),
    ];
    const errors: ItemError[] = [
      { index: 1, field: 'level', rule: 'invalid_value', message: 'expected one of trace, debug, info, warn, error, fatal' },
      { index: 3, field: '(action)', rule: 'unsupported_operation', message: 'delete is not supported' },
      { index: 1, field: 'message', rule: 'too_small', message: 'too short' },
      { index: 5, field: '(action)', rule: 'unsupported_operation', message: 'update is not supported' },
    ];
    const valid = [{ index: 0 }, { index: 2 }, { index: 4 }];
    const records = [{ id: 'id-0' }, { id: ID }, { id: 'id-4' }];
    expect(bulkItems(actions, valid, records, errors)).toEqual([
      { index: { _index: 'web', _id: 'id-0', status: 201, result: 'created' } },
      {
        create: {
          _index: 'logflow',
          _id: 'a',
          status: 400,
          error: { type: 'document_parsing_exception', reason: 'level (from log.level): expected one of trace, debug, info, warn, error, fatal [invalid_value]; message: too short [too_small]' },
        },
      },
      { index: { _index: 'logflow', _id: ID, status: 201, result: 'created' } },
      { delete: { _index: 'web', _id: 'x', status: 400, error: { type: 'illegal_argument_exception', reason: '(action): delete is not supported [unsupported_operation]' } } },
      { create: { _index: 'logflow', _id: 'id-4', status: 201, result: 'created' } },
      { update: { _index: 'logflow', _id: null, status: 400, error: { type: 'illegal_argument_exception', reason: '(action): update is not supported [unsupported_operation]' } } },
    ]);
    // Exactly these keys, in Elasticsearch's order, as they are serialized.
    expect(JSON.stringify(bulkItems(actions.slice(0, 1), valid.slice(0, 1), records.slice(0, 1), []))).toBe('[{"index":{"_index":"web","_id":"id-0","status":201,"result":"created"}}]');
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

  it('takes the shared unparsed action lines as the parsed ones', () => {
    const lines = [EMPTY_ACTION_LINES.get('{"index":{}}'), doc, EMPTY_ACTION_LINES.get('{"create":{}}'), doc];
    expect(parseBulkLines(lines, 'p')).toEqual(parseBulkLines([{ index: {} }, doc, { create: {} }, doc], 'p'));
    expect(parseBulkLines(lines, 'p').map((a) => a.operation)).toEqual(['index', 'create']);
  });

  it('refuses the whole request for a line that is no action, an action without its document, or no action at all', () => {
    for (const lines of [[doc], [new BrokenLine('x'), doc], [{ index: {}, create: {} }, doc], [{ index: { _id: 5 } }, doc], [{ index: {} }], []]) {
      expect(() => parseBulkLines(lines, undefined)).toThrow(AppError);
    }
  });
});
