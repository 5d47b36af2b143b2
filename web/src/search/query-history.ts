/** The queries a user ran, newest first, kept in localStorage across sessions. */
const STORAGE_KEY = 'logflow.queryHistory';
export const HISTORY_LIMIT = 50;

/** `query` first, without an earlier copy of it, at most HISTORY_LIMIT long. */
export function addToHistory(history: readonly string[], query: string): string[] {
  const trimmed = query.trim();
  if (!trimmed) return [...history];
  return [trimmed, ...history.filter((q) => q !== trimmed)].slice(0, HISTORY_LIMIT);
}

export function loadHistory(storage: Storage = localStorage): string[] {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(STORAGE_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((q): q is string => typeof q === 'string').slice(0, HISTORY_LIMIT) : [];
  } catch {
    return [];
  }
}

export function saveHistory(history: readonly string[], storage: Storage = localStorage): void {
  storage.setItem(STORAGE_KEY, JSON.stringify(history));
}
