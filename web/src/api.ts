export interface LogRecord {
  id: string;
  level: string;
  message: string;
  timestamp: string;
  receivedAt: string;
  resourceId?: string;
  traceId?: string;
  spanId?: string;
  commit?: string;
  metadata?: Record<string, unknown>;
}

export interface SearchResult {
  total: number;
  hits: LogRecord[];
}

export interface SearchParams {
  q?: string;
  level?: string[];
}

export async function searchLogs(params: SearchParams): Promise<SearchResult> {
  const query = new URLSearchParams();
  if (params.q) query.set('q', params.q);
  if (params.level?.length) query.set('level', params.level.join(','));
  const response = await fetch(`/api/logs/search?${query}`);
  const body = await response.json();
  if (!response.ok) throw new Error(body?.error?.message ?? `search failed (${response.status})`);
  return body as SearchResult;
}
