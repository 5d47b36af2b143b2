import { describe, expect, it } from 'vitest';
import type { SearchHit } from '../api/logs.ts';
import { highlightSegments } from './highlight.ts';
import { highlightMessage, mergeTailBatch, messagePatterns } from './live-tail.ts';

const log = (id: string, timestamp: string) => ({ id, timestamp, level: 'info', message: id, receivedAt: timestamp }) as SearchHit;

describe('live tail rows', () => {
  it('puts a batch in time order, newest first, on top of the rows, within the limit', () => {
    const rows = [log('old', '2026-01-01T00:00:00.000Z')];
    const batch = [log('b', '2026-01-01T00:00:02.000Z'), log('c', '2026-01-01T00:00:03.000Z'), log('a', '2026-01-01T00:00:01.000Z')];
    expect(mergeTailBatch(rows, batch, 10).map((r) => r.id)).toEqual(['c', 'b', 'a', 'old']);
    expect(mergeTailBatch(rows, batch, 2).map((r) => r.id)).toEqual(['c', 'b']);
  });

  it('marks what the query looks for in the message, like the search API, HTML-escaped', () => {
    const patterns = messagePatterns('"Failed to connect" AND level:error AND NOT ignored OR time*');
    expect(patterns).toHaveLength(2);
    const html = highlightMessage('<db> Failed to connect after timeouts', patterns)!;
    expect(highlightSegments(html[0])).toEqual([
      { text: '<db> ', marked: false },
      { text: 'Failed to connect', marked: true },
      { text: ' after ', marked: false },
      { text: 'timeouts', marked: true },
    ]);
    expect(highlightMessage('nothing here', patterns)).toBeUndefined();
    expect(messagePatterns('level:error')).toEqual([]);
    expect(messagePatterns('a AND')).toEqual([]);
  });
});
