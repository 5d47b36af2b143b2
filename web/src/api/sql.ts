import { apiFetch } from './http.ts';

export interface SqlResult {
  columns: { name: string; dataTypeId: number }[];
  rows: unknown[][];
  rowCount: number;
  truncated: boolean;
  durationMs: number;
}

export const runSql = (sql: string, maxRows: number) => apiFetch<SqlResult>('/api/sql', { method: 'POST', json: { sql, maxRows } });
