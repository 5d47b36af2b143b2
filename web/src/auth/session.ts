import { reactive } from 'vue';
import { KEY_STORAGE, storedApiKey } from './stored-key.ts';

export type Role = 'ingest' | 'read' | 'admin';

/** Who is signed in: the API key of this browser tab and what the server says it may do. */
export const session = reactive({
  apiKey: storedApiKey(),
  /** Unknown until `GET /api/auth/me` answered. */
  role: undefined as Role | undefined,
  resourcePatterns: undefined as string[] | undefined,
  /** False when the server has no authentication (no /api/auth/me): everyone is admin. */
  authEnabled: true,
});

export function setApiKey(key: string): void {
  session.apiKey = key;
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
}

export function signOut(): void {
  setApiKey('');
  session.role = undefined;
  session.resourcePatterns = undefined;
}

/** Whether the role may see what needs `needed`: admin ⊃ read; ingest sees no dashboard page. */
export function allows(role: Role | undefined, needed: 'read' | 'admin'): boolean {
  if (role === 'admin') return true;
  return role === 'read' && needed === 'read';
}

export function authHeaders(): Record<string, string> {
  return session.apiKey ? { authorization: `Bearer ${session.apiKey}` } : {};
}
