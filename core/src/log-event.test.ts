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
    const record = toLogRecord(event, '0190a000-0000-7000-8000-000000000000', new Date('2026-01-01T00:00:00Z'));
    expect(record.timestamp).toBe('2023-09-15T08:00:00.123Z');
    expect(record.receivedAt).toBe('2026-01-01T00:00:00.000Z');
  });
});
