import { describe, expect, it } from 'vitest';
import { filterableFields } from './log-fields.ts';

describe('filterable fields of a log', () => {
  it('lists the set fields and flattens metadata to the names the query language knows', () => {
    const log = {
      id: 'x',
      level: 'error',
      message: 'boom',
      timestamp: '2023-09-15T08:00:00Z',
      receivedAt: '2023-09-15T08:00:01Z',
      resourceId: 'server-1',
      metadata: { parentResourceId: 'p', region: { zone: 'eu-1' }, n: 3, 'bad key': 'x', list: [1] },
    };
    expect(filterableFields(log)).toEqual([
      { field: 'level', value: 'error' },
      { field: 'resourceId', value: 'server-1' },
      { field: 'message', value: 'boom' },
      { field: 'metadata.parentResourceId', value: 'p' },
      { field: 'metadata.region.zone', value: 'eu-1' },
      { field: 'metadata.n', value: '3' },
    ]);
  });
});
