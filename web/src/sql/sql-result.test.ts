import { describe, expect, it } from 'vitest';
import { columnWidths, groupedChart, markSqlError, searchNameOf, sqlErrorPosition } from './sql-result.ts';

describe('the SQL view', () => {
  it('finds the error position Postgres gave and marks it in its line', () => {
    expect(sqlErrorPosition({ code: '42703', position: 8 })).toBe(8);
    expect(sqlErrorPosition([{ field: 'sql', position: 3 }])).toBe(3);
    expect(sqlErrorPosition(undefined)).toBeUndefined();
    const sql = 'SELECT level\nFROM logz\nLIMIT 1';
    // Postgres: relation "logz" does not exist, position 19 (1-based) = the l of logz.
    expect(markSqlError(sql, 19)).toEqual({ line: 2, column: 6, before: 'FROM ', at: 'l', after: 'ogz' });
    expect(markSqlError('SELECT', 7)).toEqual({ line: 1, column: 7, before: 'SELECT', at: ' ', after: '' });
  });

  it('sizes columns to their content, within bounds', () => {
    const widths = columnWidths({
      columns: [
        { name: 'level', dataTypeId: 25 },
        { name: 'message', dataTypeId: 25 },
      ],
      rows: [
        ['error', 'x'.repeat(30)],
        ['info', 'x'.repeat(500)],
      ],
    });
    expect(widths[0]).toBe(66);
    expect(widths[1]).toBe(480);
  });

  it('draws a grouped result as bars, and nothing else', () => {
    const grouped = {
      columns: [
        { name: 'level', dataTypeId: 25 },
        { name: 'logs', dataTypeId: 20 },
      ],
      rows: [
        ['error', '12'],
        ['info', '340'],
      ],
    };
    expect(groupedChart(grouped)).toEqual({
      label: 'level',
      value: 'logs',
      bars: [
        { name: 'error', value: 12 },
        { name: 'info', value: 340 },
      ],
    });
    expect(groupedChart({ ...grouped, rows: [['error', '12']] })).toBeUndefined();
    expect(
      groupedChart({
        columns: [
          { name: 'message', dataTypeId: 25 },
          { name: 'level', dataTypeId: 25 },
        ],
        rows: [
          ['a', 'b'],
          ['c', 'd'],
        ],
      }),
    ).toBeUndefined();
  });

  it('names the search field of a SQL column', () => {
    expect(searchNameOf('resource_id')).toBe('resourceId');
    expect(searchNameOf('received_at')).toBe('receivedAt');
    expect(searchNameOf('level')).toBeUndefined();
    expect(searchNameOf('partition_key')).toBeUndefined();
  });
});
