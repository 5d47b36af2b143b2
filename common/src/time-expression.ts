/**
 * Shared by the query service and the dashboard (its time picker takes the same expressions).
 *
 * Times as users write them: ISO-8601 (`2023-09-15T08:00:00Z`, `2023-09-15`), epoch
 * milliseconds, or relative to now in Elasticsearch's date math (`now-15m`, `now-1d/d`).
 * Relative times are resolved once per request, so every part of an answer uses the same now.
 */

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const EPOCH_MILLIS = /^\d{1,15}$/;
const RELATIVE = /^now((?:[+-]\d+(?:ms|[yMwdhHms]))*)(?:\/([yMwdhHms]))?$/;
const STEP = /([+-])(\d+)(ms|[yMwdhHms])/g;

const FIXED_UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, H: 3_600_000, d: 86_400_000, w: 604_800_000 };

export const TIME_EXPRESSION_HELP = 'an ISO-8601 date-time with an offset (2023-09-15T08:00:00Z), a date (2023-09-15), epoch milliseconds or a relative time (now-15m, now-1d/d)';

function addCalendar(ms: number, unit: string, amount: number): number {
  const date = new Date(ms);
  if (unit === 'y') date.setUTCFullYear(date.getUTCFullYear() + amount);
  else date.setUTCMonth(date.getUTCMonth() + amount);
  return date.getTime();
}

/** Start of the UTC unit that `ms` falls in; weeks start on Monday as in Elasticsearch. */
function roundDown(ms: number, unit: string): number {
  const d = new Date(ms);
  switch (unit) {
    case 'y':
      return Date.UTC(d.getUTCFullYear(), 0, 1);
    case 'M':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    case 'w': {
      const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
      return day - ((d.getUTCDay() + 6) % 7) * FIXED_UNIT_MS.d!;
    }
    default:
      return ms - (ms % FIXED_UNIT_MS[unit]!);
  }
}

/** Epoch milliseconds, or undefined when `text` is not a time. */
export function parseTimeExpression(text: string, now: number): number | undefined {
  const trimmed = text.trim();
  if (ISO_DATE_TIME.test(trimmed)) {
    const ms = Date.parse(trimmed.replace(/(\.\d{3})\d+/, '$1'));
    return Number.isNaN(ms) ? undefined : ms;
  }
  if (ISO_DATE.test(trimmed)) {
    const ms = Date.parse(`${trimmed}T00:00:00Z`);
    return Number.isNaN(ms) ? undefined : ms;
  }
  if (EPOCH_MILLIS.test(trimmed)) return Number(trimmed);
  const relative = RELATIVE.exec(trimmed);
  if (!relative) return undefined;
  let ms = now;
  for (const [, sign, amount, unit] of relative[1]!.matchAll(STEP)) {
    const n = Number(amount) * (sign === '-' ? -1 : 1);
    ms = unit === 'y' || unit === 'M' ? addCalendar(ms, unit, n) : ms + n * FIXED_UNIT_MS[unit!]!;
  }
  return relative[2] ? roundDown(ms, relative[2]) : ms;
}
