import type { AuditEntry, AuditQuery, AuditRow } from '@logflow/common';
import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import { auditLog } from '../db/schema.ts';
import { createDatabase, type Database, type Pool } from '../postgres.ts';
import { isoTime } from './key-store.ts';

/** The audit log: one row per admin action, whoever did it (an API key or the CLI). */
export class AuditLog {
  private readonly db: Database;

  constructor(pool: Pool) {
    this.db = createDatabase(pool);
  }

  async record(entry: AuditEntry): Promise<void> {
    await this.db.insert(auditLog).values(entry);
  }

  /** Writes the row of an action about to run; its id, to complete it with `finish`. */
  async start(entry: Omit<AuditEntry, 'status' | 'outcome'>): Promise<number> {
    const [row] = await this.db
      .insert(auditLog)
      .values({ ...entry, status: null, outcome: 'started' })
      .returning({ id: auditLog.id });
    return row!.id;
  }

  async finish(id: number, status: number): Promise<void> {
    await this.db
      .update(auditLog)
      .set({ status, outcome: auditOutcome(status) })
      .where(eq(auditLog.id, id));
  }

  async list({ limit, keyId, action, before }: AuditQuery): Promise<AuditRow[]> {
    const conditions: SQL[] = [];
    if (keyId) conditions.push(eq(auditLog.keyId, keyId));
    if (action) conditions.push(eq(auditLog.action, action));
    if (before !== undefined) conditions.push(lt(auditLog.id, before));
    const rows = await this.db
      .select()
      .from(auditLog)
      .where(and(...conditions))
      .orderBy(desc(auditLog.id))
      .limit(limit);
    return rows.map((row) => ({ ...row, at: isoTime(row.at), outcome: row.outcome as AuditEntry['outcome'], params: row.params as Record<string, unknown> }));
  }
}

/** How a status reads in the audit log. */
export function auditOutcome(status: number): AuditEntry['outcome'] {
  if (status === 401 || status === 403) return 'denied';
  return status < 400 ? 'ok' : 'failed';
}
