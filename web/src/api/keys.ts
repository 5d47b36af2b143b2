import type { ApiKey, ApiKeyRole, AuditQuery, AuditRow, NewApiKey } from '@logflow/common';
import { apiFetch } from './http.ts';
import { queryString } from './query-string.ts';

export type { ApiKey, ApiKeyRole, AuditRow };
/** What `POST /api/admin/keys` takes: the store's new key but who made it, which the server knows. */
export type NewKeyRequest = Omit<NewApiKey, 'createdBy'>;
export type AuditFilter = Partial<AuditQuery>;

export const listKeys = () => apiFetch<{ keys: ApiKey[] }>('/api/admin/keys');
export const createKey = (body: NewKeyRequest) => apiFetch<{ key: string; apiKey: ApiKey }>('/api/admin/keys', { method: 'POST', json: body });
export const revokeKey = (id: string) => apiFetch<ApiKey>(`/api/admin/keys/${encodeURIComponent(id)}`, { method: 'DELETE' });
export const fetchAudit = (filter: AuditFilter) => apiFetch<{ entries: AuditRow[] }>(`/api/admin/audit${queryString(filter)}`);
