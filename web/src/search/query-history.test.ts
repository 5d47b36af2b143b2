import { describe, expect, it } from 'vitest';
import { addToHistory, HISTORY_LIMIT, loadHistory, saveHistory } from './query-history.ts';

describe('query history', () => {
  it('puts the newest query first without duplicates, ignoring blanks', () => {
    let history = addToHistory([], 'level:error');
    history = addToHistory(history, 'timed out');
    history = addToHistory(history, ' level:error ');
    history = addToHistory(history, '   ');
    expect(history).toEqual(['level:error', 'timed out']);
  });

  it('keeps at most the limit', () => {
    let history: string[] = [];
    for (let i = 0; i < HISTORY_LIMIT + 5; i++) history = addToHistory(history, `q${i}`);
    expect(history).toHaveLength(HISTORY_LIMIT);
    expect(history[0]).toBe(`q${HISTORY_LIMIT + 4}`);
  });

  it('survives storage round trips and ignores what it did not write', () => {
    saveHistory(['a', 'b']);
    expect(loadHistory()).toEqual(['a', 'b']);
    localStorage.setItem('logflow.queryHistory', '{not json');
    expect(loadHistory()).toEqual([]);
  });
});
