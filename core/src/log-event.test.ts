import { describe, expect, it } from 'vitest';
import example from '../../test/fixtures/example_log.json' with { type: 'json' };
import { logEventSchema, toLogRecord } from './log-event.ts';

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

  it('counts unknown top-level fields against the metadata limits', () => {
    const extra = Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [`x${i}`, i]));
    expect(issueOf({ ...example, ...extra })).toMatchObject({ params: { rule: 'max_keys' } });
  });

  it('names the allowed levels when refusing one', () => {
    expect(issueOf({ ...example, level: 'warning' })?.message).toBe('expected one of trace, debug, info, warn, error, fatal');
  });
});
