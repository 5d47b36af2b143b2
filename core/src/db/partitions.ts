import type pg from 'pg';

const DAY_MS = 86_400_000;

/** `logs_p20261125` for the UTC day that `day` falls in. */
export function partitionName(day: Date): string {
  return `logs_p${day.toISOString().slice(0, 10).replaceAll('-', '')}`;
}

/** The UTC days from `from` for `count` days, each as its midnight. */
export function utcDays(from: Date, count: number): Date[] {
  const start = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  return Array.from({ length: count }, (_, i) => new Date(start + i * DAY_MS));
}

/**
 * Creates the daily partitions of `logs` for the given days when missing. Callers pass today
 * and later: rows of past days already sit in the default partition, and a day whose rows are
 * there cannot get a partition of its own, so such a day is skipped and its rows stay put.
 */
export async function ensureDailyPartitions(pool: pg.Pool, days: Date[]): Promise<string[]> {
  const created: string[] = [];
  for (const day of days) {
    const name = partitionName(day);
    const from = day.toISOString();
    const to = new Date(day.getTime() + DAY_MS).toISOString();
    const result = await pool.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [name]);
    if (result.rows[0]?.exists) continue;
    try {
      await pool.query(`CREATE TABLE IF NOT EXISTS "${name}" PARTITION OF logs FOR VALUES FROM ('${from}') TO ('${to}')`);
      created.push(name);
    } catch (error) {
      // 23514: the default partition already holds rows of that day; they stay where they are.
      if ((error as { code?: string }).code !== '23514') throw error;
    }
  }
  return created;
}
