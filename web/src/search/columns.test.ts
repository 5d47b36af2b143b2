import { describe, expect, it } from 'vitest';
import { columnValue, isColumn, toggleColumn } from './columns.ts';
import { stateFromQuery, stateToQuery } from './search-state.ts';

const log = { id: 'x', level: 'info', message: 'm', timestamp: 't', receivedAt: 'r', resourceId: 'api-1', metadata: { region: 'eu', pod: { name: 'p-1' }, n: 3, tags: ['a'] } };

describe('columns', () => {
  it('takes the built-in fields and any metadata path the query language can name', () => {
    for (const name of ['message', 'traceId', 'metadata.region', 'metadata.pod.name', 'metadata.user@id']) expect(isColumn(name), name).toBe(true);
    for (const name of ['nope', 'metadata', 'metadata.', 'metadata.has space', '__proto__']) expect(isColumn(name), name).toBe(false);
  });

  it('reads a column of a log, metadata paths included', () => {
    expect(columnValue(log, 'resourceId')).toBe('api-1');
    expect(columnValue(log, 'metadata.pod.name')).toBe('p-1');
    expect(columnValue(log, 'metadata.n')).toBe('3');
    expect(columnValue(log, 'metadata.tags')).toBe('["a"]');
    expect(columnValue(log, 'metadata.missing.deeper')).toBe('');
    expect(columnValue(log, 'traceId')).toBe('');
  });

  it('adds a column at the end or removes it, never the last one', () => {
    expect(toggleColumn(['timestamp', 'message'], 'metadata.region')).toEqual(['timestamp', 'message', 'metadata.region']);
    expect(toggleColumn(['timestamp', 'metadata.region'], 'metadata.region')).toEqual(['timestamp']);
    expect(toggleColumn(['message'], 'message')).toEqual(['message']);
  });

  it('keeps metadata columns in the URL, dropping unknown names and repeats', () => {
    const state = stateFromQuery({ cols: 'timestamp,metadata.region,nope,metadata.region,message' });
    expect(state.columns).toEqual(['timestamp', 'metadata.region', 'message']);
    expect(stateToQuery(state).cols).toBe('timestamp,metadata.region,message');
  });
});
