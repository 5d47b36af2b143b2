// No Vue here: the early search script (first-search.ts) reaches this module through time-range.ts.
/** Every time the dashboard shows is in one zone: UTC or the browser's own. */
export type TimeZoneSetting = 'utc' | 'local';

export const TIME_ZONE_STORAGE = 'logflow.timeZone';

export function storedTimeZone(storage: Pick<Storage, 'getItem'>): TimeZoneSetting {
  return storage.getItem(TIME_ZONE_STORAGE) === 'local' ? 'local' : 'utc';
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function offsetText(minutesEast: number): string {
  const sign = minutesEast < 0 ? '-' : '+';
  const abs = Math.abs(minutesEast);
  return `UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/**
 * What is written next to a time: `UTC`, or the browser's zone with its offset at `at`
 * (`short`: the offset alone, for a column header).
 */
export function zoneLabel(zone: TimeZoneSetting, at = Date.now(), short = false): string {
  if (zone === 'utc') return 'UTC';
  const name = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const offset = offsetText(-new Date(at).getTimezoneOffset());
  return name && name !== 'UTC' && !short ? `${name}, ${offset}` : offset;
}

export type Precision = 'ms' | 's' | 'min';

/**
 * `2026-11-28 14:02:09.123` in the zone, from an ISO string or epoch ms; '' for no time. The
 * zone is not repeated in every cell: headers and labels carry zoneLabel().
 */
export function formatTime(value: string | number | null | undefined, zone: TimeZoneSetting, precision: Precision = 'ms'): string {
  if (value === null || value === undefined || value === '') return '';
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) return String(value);
  const d = new Date(ms);
  const utc = zone === 'utc';
  const date = `${d[utc ? 'getUTCFullYear' : 'getFullYear']()}-${pad(d[utc ? 'getUTCMonth' : 'getMonth']() + 1)}-${pad(d[utc ? 'getUTCDate' : 'getDate']())}`;
  const minutes = `${pad(d[utc ? 'getUTCHours' : 'getHours']())}:${pad(d[utc ? 'getUTCMinutes' : 'getMinutes']())}`;
  if (precision === 'min') return `${date} ${minutes}`;
  const seconds = `${minutes}:${pad(d[utc ? 'getUTCSeconds' : 'getSeconds']())}`;
  return precision === 's' ? `${date} ${seconds}` : `${date} ${seconds}.${pad(d[utc ? 'getUTCMilliseconds' : 'getMilliseconds'](), 3)}`;
}

/**
 * The date picker shows the browser's wall clock: in UTC, an instant goes in shifted so that
 * the picker shows its UTC wall clock, and what the user picks comes back shifted the other way.
 */
export function toPickerValue(ms: number, zone: TimeZoneSetting): number {
  return zone === 'utc' ? ms + new Date(ms).getTimezoneOffset() * 60_000 : ms;
}

export function fromPickerValue(value: number, zone: TimeZoneSetting): number {
  return zone === 'utc' ? value - new Date(value).getTimezoneOffset() * 60_000 : value;
}
