export const API_KEY_ROLES = ['ingest', 'read', 'admin'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/** An API key as the admin API and `logflow keys list` show it (never its secret). */
export interface ApiKey {
  id: string;
  name: string;
  role: ApiKeyRole;
  keyPrefix: string;
  /** resourceId patterns a read key is limited to; null: every log. */
  resourcePatterns: string[] | null;
  rateLimitPerMinute: number | null;
  /** The Postgres login of a scoped key's SQL console. */
  sqlRole: string | null;
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
}

export interface NewApiKey {
  name: string;
  role: ApiKeyRole;
  resourcePatterns?: string[];
  rateLimitPerMinute?: number;
  createdBy: string;
}

/** One admin action in the audit log. */
export interface AuditEntry {
  keyId: string | null;
  keyName: string | null;
  action: string;
  params: Record<string, unknown>;
  /** null while the action runs (or when its end could not be written). */
  status: number | null;
  /** 'started': written before the action ran, its end not (yet) recorded. */
  outcome: 'ok' | 'denied' | 'failed' | 'started';
  /** The server's id of the request (the `x-request-id` of its answer). */
  requestId: string | null;
  /** The `x-request-id` the client sent, as it sent it: evidence, never trusted as an id. */
  clientRequestId?: string | null;
}

export interface AuditRow extends Omit<AuditEntry, 'clientRequestId'> {
  id: number;
  at: string;
  clientRequestId: string | null;
}

export interface AuditQuery {
  limit: number;
  keyId?: string;
  action?: string;
  /** Rows older than this id: the next page. */
  before?: number;
}
