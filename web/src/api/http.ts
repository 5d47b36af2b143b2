import { authHeaders } from '../auth/session.ts';

export interface ErrorDetail {
  field?: string;
  rule?: string;
  message?: string;
  position?: number;
}

/** An error answer of the API: `{error: {code, message, details}}`. */
export class ApiError extends Error {
  override name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }
}

/** Called on every 401, so the app can ask for a key again. */
let onUnauthorized: () => void = () => undefined;
export function handleUnauthorized(callback: () => void): void {
  onUnauthorized = callback;
}

export async function errorOf(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => undefined)) as { error?: { code?: string; message?: string; details?: ErrorDetail[] } } | undefined;
  if (response.status === 401) onUnauthorized();
  return new ApiError(response.status, body?.error?.code ?? 'http_error', body?.error?.message ?? `${response.status} ${response.statusText}`, body?.error?.details);
}

/** fetch with the API key, JSON in and out, and ApiError for any answer but 2xx. */
export async function apiFetch<T>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const { json, ...rest } = init;
  const response = await fetch(path, {
    ...rest,
    headers: { ...authHeaders(), ...(json !== undefined && { 'content-type': 'application/json' }), ...rest.headers },
    ...(json !== undefined && { body: JSON.stringify(json) }),
  });
  return readAnswer<T>(response);
}

/** The JSON of a 2xx answer; ApiError for any other. */
export async function readAnswer<T>(response: Response): Promise<T> {
  if (!response.ok) throw await errorOf(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}
