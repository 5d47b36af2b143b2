import { describe, expect, it } from 'vitest';
import { formatTime, fromPickerValue, storedTimeZone, toPickerValue, zoneLabel } from './zone.ts';

describe('time zone', () => {
  it('formats a time in UTC at the precision asked, from ISO or epoch ms', () => {
    expect(formatTime('2026-11-28T14:02:09.123Z', 'utc')).toBe('2026-11-28 14:02:09.123');
    expect(formatTime(Date.UTC(2026, 0, 2, 3, 4, 5, 6), 'utc', 's')).toBe('2026-01-02 03:04:05');
    expect(formatTime('2026-11-28T14:02:09.123Z', 'utc', 'min')).toBe('2026-11-28 14:02');
    expect(formatTime(null, 'utc')).toBe('');
  });

  it('formats in the browser zone by its offset', () => {
    const ms = Date.UTC(2026, 5, 1, 12, 0, 0, 0);
    const local = new Date(ms);
    const expected = `${local.getFullYear()}-${String(local.getMonth() + 1).padStart(2, '0')}-${String(local.getDate()).padStart(2, '0')} ${String(local.getHours()).padStart(2, '0')}:00`;
    expect(formatTime(ms, 'local', 'min')).toBe(expected);
    expect(zoneLabel('local', ms)).toMatch(/UTC[+-]\d\d:\d\d$/);
    expect(zoneLabel('utc')).toBe('UTC');
  });

  it('reads the stored setting, UTC unless the browser zone was chosen', () => {
    expect(storedTimeZone({ getItem: () => 'local' })).toBe('local');
    expect(storedTimeZone({ getItem: () => null })).toBe('utc');
    expect(storedTimeZone({ getItem: () => 'mars' })).toBe('utc');
  });

  it('shows UTC wall clock times in the browser-local date picker and reads them back', () => {
    const ms = Date.UTC(2026, 5, 1, 12, 30);
    const shown = new Date(toPickerValue(ms, 'utc'));
    expect([shown.getHours(), shown.getMinutes()]).toEqual([12, 30]);
    expect(fromPickerValue(toPickerValue(ms, 'utc'), 'utc')).toBe(ms);
    expect(toPickerValue(ms, 'local')).toBe(ms);
  });
});
