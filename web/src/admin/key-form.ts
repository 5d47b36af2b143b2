import type { ApiKey, ApiKeyRole, NewKeyRequest } from '../api/keys.ts';

/** What each role may use, as the create form explains it; keyed by the server's roles, so a new one is a type error here. */
export const ROLE_HELP: Record<ApiKeyRole, string> = {
  ingest: 'sends logs (POST /logs), nothing else',
  read: 'search, live tail, export and the SQL console',
  admin: 'everything: jobs, dead letters, API keys and the audit log too',
};
export const ROLES = Object.keys(ROLE_HELP) as ApiKeyRole[];

export interface KeyForm {
  name: string;
  role: ApiKeyRole;
  /** resourceId patterns such as `payments-*`; only read keys take them. */
  resourcePatterns: string[];
  rateLimitPerMinute: number | null;
}

export const emptyKeyForm = (): KeyForm => ({ name: '', role: 'read', resourcePatterns: [], rateLimitPerMinute: null });

/** The request for a filled form. Patterns are sent for read keys only: the server refuses them on other roles. */
export function newKeyRequest(form: KeyForm): NewKeyRequest {
  const patterns = [...new Set(form.resourcePatterns.map((pattern) => pattern.trim()).filter(Boolean))];
  return {
    name: form.name.trim(),
    role: form.role,
    ...(form.role === 'read' && patterns.length > 0 && { resourcePatterns: patterns }),
    ...(form.rateLimitPerMinute !== null && { rateLimitPerMinute: form.rateLimitPerMinute }),
  };
}

/** Which logs a key reaches, in words for the list. */
export function scopeText(key: Pick<ApiKey, 'role' | 'resourcePatterns'>): string {
  if (key.role === 'ingest') return 'writes only';
  return key.resourcePatterns?.length ? key.resourcePatterns.join(', ') : 'every log';
}

/** Who made a key, by name: the API says `key:<id>` for keys made through it, `cli:<user>` for the CLI. */
export function creatorName(createdBy: string, keys: readonly Pick<ApiKey, 'id' | 'name'>[]): string {
  const id = createdBy.startsWith('key:') ? createdBy.slice(4) : undefined;
  return keys.find((key) => key.id === id)?.name ?? createdBy;
}
