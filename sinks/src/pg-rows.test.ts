import { describe, expect, it } from 'vitest';
import type { LogRecord } from '@logflow/core';
import { copyValue, toCopyLine, unstorableReason } from './pg-rows.ts';

const record: LogRecord = {
  id: '01890a5d-ac96-774b-bcce-b302099a8057',
  level: 'error',
  message: 'Failed\tto connect\nto DB \\ retry',
  timestamp: '2023-09-15T08:00:00.000Z',
  receivedAt: '2026-11-25T10:00:00.000Z',
  resourceId: 'server-1234',
  metadata: { parentResourceId: 'server-0987', note: 'a\\b' },
};

describe('COPY text format', () => {
  it('escapes backslash, tab, newline and carriage return, and writes null as \\N', () => {
    expect(copyValue('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyValue(null)).toBe('\\N');
    expect(copyValue(undefined)).toBe('\\N');
    expect(copyValue(42)).toBe('42');
  });

  it('writes one line of twelve tab-separated columns', () => {
    const line = toCopyLine({ record, partition: 3, offset: '17' });
    expect(line.endsWith('\n')).toBe(true);
    const fields = line.slice(0, -1).split('\t');
    expect(fields).toHaveLength(12);
    expect(fields[4]).toBe('Failed\\tto connect\\nto DB \\\\ retry');
    expect(fields[6]).toBe('\\N');
    expect(fields[9]).toBe('{"parentResourceId":"server-0987","note":"a\\\\\\\\b"}');
    expect(fields.slice(10)).toEqual(['3', '17']);
  });
});

describe('unstorableReason', () => {
  it('accepts a normal record', () => {
    expect(unstorableReason(record, JSON.stringify(record))).toBeUndefined();
  });

  it('refuses NUL characters but not an escaped backslash before u0000', () => {
    const withNul = { ...record, message: 'a\u0000b' };
    expect(unstorableReason(withNul, JSON.stringify(withNul))).toMatch(/NUL/);
    const lookalike = { ...record, message: 'a\\u0000b' };
    expect(unstorableReason(lookalike, JSON.stringify(lookalike))).toBeUndefined();
  });

  it('refuses ids, times and metadata Postgres cannot hold', () => {
    const check = (patch: Partial<LogRecord>) => unstorableReason({ ...record, ...patch }, '{}');
    expect(check({ id: 'nope' })).toMatch(/UUID/);
    expect(check({ timestamp: '+010000-01-01T00:00:00.000Z' })).toMatch(/timestamp/);
    expect(check({ receivedAt: 'yesterday' })).toMatch(/receivedAt/);
    expect(check({ metadata: [] as unknown as Record<string, unknown> })).toMatch(/metadata/);
  });
});
