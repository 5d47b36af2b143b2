import type { SqlResult, SqlSchema } from '@logflow/common';
import { apiFetch } from './http.ts';

export type { SqlResult, SqlSchema };

export const runSql = (sql: string, maxRows: number) => apiFetch<SqlResult>('/api/sql', { method: 'POST', json: { sql, maxRows } });

export const fetchSqlSchema = () => apiFetch<SqlSchema>('/api/sql/schema');
