import { describe, expect, it } from 'vitest';
import example from '../../test/fixtures/example_log.json' with { type: 'json' };
import { acceptParsedLog, acceptTypedLog, logEventSchema, storedTimestamp, toLogRecord, type TypedLogFields } from './log-event.ts';

describe('logEventSchema', () => {
  it('accepts the seed example log', () => {
    const event = logEventSchema.parse(example);
    expect(event).toMatchObject({ level: 'error', resourceId: 'server-1234', metadata: { parentResourceId: 'server-0987' } });
  });

  it('lower-cases the level and refuses unknown levels', () => {
    expect(logEventSchema.parse({ ...example, level: 'WARN' }).level).toBe('warn');
    const result = logEventSchema.safeParse({ ...example, level: 'loud' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['level']);
  });

  it('requires a timestamp with an offset', () => {
    expect(logEventSchema.safeParse({ ...example, timestamp: '2023-09-15T08:00:00' }).success).toBe(false);
    expect(logEventSchema.safeParse({ ...example, timestamp: '2023-09-15T08:00:00+02:00' }).success).toBe(true);
  });

  it('requires level, message and timestamp', () => {
    const result = logEventSchema.safeParse({ resourceId: 'x' });
    expect(result.error?.issues.map((i) => i.path[0]).sort()).toEqual(['level', 'message', 'timestamp']);
  });

  it('keeps unknown top-level fields under metadata', () => {
    const event = logEventSchema.parse({ ...example, region: 'eu-west-1' });
    expect(event.metadata).toEqual({ parentResourceId: 'server-0987', region: 'eu-west-1' });
    expect(event).not.toHaveProperty('region');
  });

  it('refuses an unknown field that clashes with a metadata key', () => {
    const result = logEventSchema.safeParse({ ...example, parentResourceId: 'other' });
    expect(result.error?.issues[0]?.path).toEqual(['parentResourceId']);
  });

  it('refuses a client id that is not a UUID', () => {
    expect(logEventSchema.safeParse({ ...example, id: 'abc' }).error?.issues[0]?.path).toEqual(['id']);
  });
});

describe('toLogRecord', () => {
  it('normalises the timestamp to UTC milliseconds', () => {
    const event = logEventSchema.parse({ ...example, timestamp: '2023-09-15T10:00:00.123456+02:00' });
    const record = toLogRecord(event, '0190a000-0000-7000-8000-000000000000', '2026-01-01T00:00:00.000Z');
    expect(record.timestamp).toBe('2023-09-15T08:00:00.123Z');
    expect(record.receivedAt).toBe('2026-01-01T00:00:00.000Z');
  });

  it.each([
    '2023-09-15T08:00:00Z',
    '2023-09-15T08:00:00.123Z',
    '2024-02-29T23:59:59.999Z',
    '0001-01-01T00:00:00Z',
    '2023-09-15T08:00:00.1Z',
    '2023-09-15T08:00:00.123456Z',
    '2023-09-15T10:00:00+02:00',
    '2023-09-15T01:30:00.5-06:30',
    '2023-12-31T23:30:00.000-01:00',
  ])('stores %s as Date would write it in UTC', (timestamp) => {
    expect(logEventSchema.safeParse({ ...example, timestamp }).success).toBe(true);
    expect(storedTimestamp(timestamp)).toBe(new Date(timestamp).toISOString());
  });
});

/** Metadata nested `levels` deep: { a: { a: … { leaf: 1 } } } counts `levels` objects. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

describe('logEventSchema limits, each at its edge', () => {
  const issueOf = (event: unknown) => logEventSchema.safeParse(event).error?.issues[0];

  it('caps the message at 65,536 characters', () => {
    expect(issueOf({ ...example, message: 'x'.repeat(65_536) })).toBeUndefined();
    expect(issueOf({ ...example, message: 'x'.repeat(65_537) })).toMatchObject({ path: ['message'], code: 'too_big' });
  });

  it('refuses an empty message', () => {
    expect(issueOf({ ...example, message: '' })).toMatchObject({ path: ['message'], code: 'too_small' });
  });

  it('caps identifiers at 512 characters', () => {
    for (const field of ['resourceId', 'traceId', 'spanId', 'commit']) {
      expect(issueOf({ ...example, [field]: 'r'.repeat(512) })).toBeUndefined();
      expect(issueOf({ ...example, [field]: 'r'.repeat(513) })).toMatchObject({ path: [field], code: 'too_big' });
    }
  });

  it('allows metadata 20 levels deep and refuses 21', () => {
    expect(issueOf({ ...example, metadata: nested(20) })).toBeUndefined();
    expect(issueOf({ ...example, metadata: nested(21) })).toMatchObject({ params: { rule: 'max_depth' } });
  });

  it('survives absurd nesting without recursion', () => {
    expect(issueOf({ ...example, metadata: nested(100_000) })).toMatchObject({ params: { rule: 'max_depth' } });
  });

  it('allows 1,000 metadata keys in all and refuses 1,001', () => {
    const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
    expect(issueOf({ ...example, metadata: keys(1_000) })).toBeUndefined();
    expect(issueOf({ ...example, metadata: keys(1_001) })).toMatchObject({ path: ['metadata'], params: { rule: 'max_keys' } });
    expect(issueOf({ ...example, metadata: { a: keys(600), b: keys(398) } })).toBeUndefined();
    expect(issueOf({ ...example, metadata: { a: keys(600), b: keys(399) } })).toMatchObject({ params: { rule: 'max_keys' } });
  });

  it('caps metadata strings at 32,768 characters and keys at 256', () => {
    expect(issueOf({ ...example, metadata: { s: 'x'.repeat(32_768) } })).toBeUndefined();
    expect(issueOf({ ...example, metadata: { s: 'x'.repeat(32_769) } })).toMatchObject({ path: ['metadata', 's'], params: { rule: 'too_big' } });
    expect(issueOf({ ...example, metadata: { ['k'.repeat(256)]: 1 } })).toBeUndefined();
    expect(issueOf({ ...example, metadata: { ['k'.repeat(257)]: 1 } })).toMatchObject({ params: { rule: 'too_big' } });
  });

  it('names the path of a nested refusal, array indexes included', () => {
    expect(issueOf({ ...example, metadata: { a: [{ ok: 1 }, { s: 'x'.repeat(32_769) }] } })).toMatchObject({ path: ['metadata', 'a', 1, 's'], params: { rule: 'too_big' } });
    expect(issueOf({ ...example, metadata: { a: { b: { ['k'.repeat(257)]: 1 } } } })).toMatchObject({ path: ['metadata', 'a', 'b', 'k'.repeat(257)], params: { rule: 'too_big' } });
  });

  it('counts unknown top-level fields against the metadata limits', () => {
    const extra = Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [`x${i}`, i]));
    expect(issueOf({ ...example, ...extra })).toMatchObject({ params: { rule: 'max_keys' } });
  });

  it('names the allowed levels when refusing one', () => {
    expect(issueOf({ ...example, level: 'warning' })?.message).toBe('expected one of trace, debug, info, warn, error, fatal');
  });
});

describe('acceptTypedLog', () => {
  const typed: TypedLogFields = {
    level: 'error',
    message: 'Failed to connect to DB',
    timestamp: '2023-09-15T08:00:00.000Z',
    resourceId: 'checkout',
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: undefined,
    commit: '5e5342f',
    metadata: { severityText: 'ERROR', attributes: { 'http.status': 503, tags: ['a', { b: null }] }, scope: { name: 'bench' } },
  };
  const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
  /** [case, log, whether acceptTypedLog itself accepts it] */
  const cases: [string, TypedLogFields, boolean][] = [
    ['a typical mapped log', typed, true],
    ['a client id', { ...typed, id: '0190a000-0000-7000-8000-000000000000' }, true],
    ['the longest message', { ...typed, message: 'x'.repeat(65_536) }, true],
    ['identifiers of 512 characters', { ...typed, resourceId: 'r'.repeat(512), traceId: 't'.repeat(512), spanId: 's'.repeat(512), commit: 'c'.repeat(512) }, true],
    ['metadata 20 levels deep and 1,000 keys', { ...typed, metadata: { a: nested(19), ...keys(980) } }, true],
    ['an offset other than Z', { ...typed, timestamp: '2023-09-15T10:00:00+02:00' }, true],
    ['an upper-case level (the schema lower-cases it)', { ...typed, level: 'WARN' as never }, false],
    ['an unknown level', { ...typed, level: 'loud' as never }, false],
    ['an empty message', { ...typed, message: '' }, false],
    ['a message too long', { ...typed, message: 'x'.repeat(65_537) }, false],
    ['an empty resourceId', { ...typed, resourceId: '' }, false],
    ['a commit too long', { ...typed, commit: 'c'.repeat(513) }, false],
    ['a traceId too long', { ...typed, traceId: 't'.repeat(513) }, false],
    ['an id that is not a UUID', { ...typed, id: 'abc' }, false],
    ['an impossible date', { ...typed, timestamp: '2023-02-30T08:00:00.000Z' }, false],
    ['a date without an offset', { ...typed, timestamp: '2023-09-15T08:00:00' }, false],
    ['a six-digit year', { ...typed, timestamp: new Date(8.64e15).toISOString() }, false],
    ['metadata 21 levels deep', { ...typed, metadata: nested(21) }, false],
    ['1,001 metadata keys', { ...typed, metadata: keys(1_001) }, false],
    ['a metadata string too long', { ...typed, metadata: { a: ['x'.repeat(32_769)] } }, false],
    ['a metadata key too long', { ...typed, metadata: { ['k'.repeat(257)]: 1 } }, false],
  ];

  it.each(cases)('agrees with logEventSchema: %s', (_name, log, accepted) => {
    const fast = acceptTypedLog(log);
    const schema = logEventSchema.safeParse(log);
    expect(fast !== undefined).toBe(accepted);
    // What it accepts the schema accepts, as the same event; the rest is left to the schema.
    if (fast) expect(fast).toEqual(schema.data);
    if (!schema.success) expect(fast).toBeUndefined();
  });
});

describe('acceptParsedLog', () => {
  const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
  /** [case, the JSON text of a log, whether acceptParsedLog itself accepts it] */
  const cases: [string, unknown, boolean][] = [
    ['the seed example', example, true],
    ['no optional field, no metadata', { level: 'info', message: 'm', timestamp: '2023-09-15T08:00:00Z' }, true],
    ['a client id', { ...example, id: '0190a000-0000-7000-8000-000000000000' }, true],
    ['an upper-case level', { ...example, level: 'WARN' }, true],
    ['a mixed-case level', { ...example, level: 'Debug' }, true],
    ['unknown top-level fields, in their order', { ...example, zone: 'b', region: 'eu-west-1', 7: 'seven', nested: { a: [1, null] } }, true],
    ['unknown fields without metadata', { level: 'info', message: 'm', timestamp: '2023-09-15T08:00:00Z', region: 'eu' }, true],
    ['metadata of every JSON type', { ...example, metadata: { s: 's', n: 1.5, b: false, z: null, a: [1, 'x', { y: [] }], o: {} } }, true],
    ['an offset other than Z and microseconds', { ...example, timestamp: '2023-09-15T10:00:00.123456+02:00' }, true],
    ['metadata 20 levels deep and 1,000 keys', { ...example, metadata: { a: nested(19), ...keys(980) } }, true],
    ['the longest message and identifiers', { ...example, message: 'x'.repeat(65_536), resourceId: 'r'.repeat(512), commit: 'c'.repeat(512) }, true],
    ['an unknown field also in metadata', { ...example, parentResourceId: 'other' }, false],
    ['an unknown field named like an Object method', { ...example, constructor: 'x' }, false],
    ['unknown fields pushing metadata past 1,000 keys', { ...example, metadata: keys(1_000), extra: 1 }, false],
    ['an unknown level', { ...example, level: 'loud' }, false],
    ['a level of 17 characters', { ...example, level: 'ERROR'.padEnd(17, ' ') }, false],
    ['a level that is a number', { ...example, level: 3 }, false],
    ['no level', { message: 'm', timestamp: '2023-09-15T08:00:00Z' }, false],
    ['an empty message', { ...example, message: '' }, false],
    ['a message that is an object', { ...example, message: { text: 'm' } }, false],
    ['a message too long', { ...example, message: 'x'.repeat(65_537) }, false],
    ['a resourceId that is null', { ...example, resourceId: null }, false],
    ['a traceId that is a number', { ...example, traceId: 42 }, false],
    ['an empty spanId', { ...example, spanId: '' }, false],
    ['a commit too long', { ...example, commit: 'c'.repeat(513) }, false],
    ['an id that is not a UUID', { ...example, id: 'abc' }, false],
    ['an id that is a number', { ...example, id: 7 }, false],
    ['a date without an offset', { ...example, timestamp: '2023-09-15T08:00:00' }, false],
    ['an impossible date', { ...example, timestamp: '2023-02-30T08:00:00Z' }, false],
    ['a timestamp that is a number', { ...example, timestamp: 1694764800000 }, false],
    ['metadata that is null', { ...example, metadata: null }, false],
    ['metadata that is an array', { ...example, metadata: [1, 2] }, false],
    ['metadata that is a string', { ...example, metadata: 'x' }, false],
    ['metadata 21 levels deep', { ...example, metadata: nested(21) }, false],
    ['a metadata string too long', { ...example, metadata: { a: ['x'.repeat(32_769)] } }, false],
    ['a metadata key too long', { ...example, metadata: { ['k'.repeat(257)]: 1 } }, false],
    ['an array', [example], false],
    ['a string', 'error', false],
    ['null', null, false],
  ];

  it.each(cases)('agrees with logEventSchema: %s', (_name, value, accepted) => {
    // As the body parser hands it over: a fresh plain object from the JSON text.
    const parsed: unknown = JSON.parse(JSON.stringify(value));
    const fast = acceptParsedLog(parsed);
    const schema = logEventSchema.safeParse(JSON.parse(JSON.stringify(value)));
    expect(fast !== undefined).toBe(accepted);
    if (!schema.success) expect(fast).toBeUndefined();
    if (fast) {
      // The same event, and the same record byte for byte (metadata keys in the same order).
      expect(fast).toEqual(schema.data);
      const id = '0190a000-0000-7000-8000-000000000000';
      expect(JSON.stringify(toLogRecord(fast, id, '2026-01-01T00:00:00.000Z'))).toBe(JSON.stringify(toLogRecord(schema.data!, id, '2026-01-01T00:00:00.000Z')));
    }
  });

  it('leaves the parsed log as it was', () => {
    const parsed = JSON.parse(JSON.stringify({ ...example, region: 'eu' })) as Record<string, unknown>;
    const before = JSON.stringify(parsed);
    expect(acceptParsedLog(parsed)?.metadata).toEqual({ parentResourceId: 'server-0987', region: 'eu' });
    expect(JSON.stringify(parsed)).toBe(before);
  });
});
