import type { SqlResult } from '@logflow/common';
import { apiFetch } from './http.ts';

export type { SqlResult };

export const runSql = (sql: string, maxRows: number) => apiFetch<SqlResult>('/api/sql', { method: 'POST', json: { sql, maxRows } });
