import { describe, expect, it } from 'vitest';
import { gridTemplate } from './column-layout.ts';

/** The fixed pixels of a template, and its message track's minimum. */
function minimumWidth(template: string): number {
  return [...template.matchAll(/(?:minmax\((\d+)px,[^)]*\))|(\d+)px/g)].reduce((sum, m) => sum + Number(m[1] ?? m[2]), 0);
}

describe('result columns', () => {
  it('keep the message at least 100 px wide within a 390 px phone with the default columns', () => {
    const template = gridTemplate(['timestamp', 'level', 'resourceId', 'message'], true);
    expect(template).toContain('minmax(100px, 1fr)');
    // 20 px of page padding, 8 of row padding, 4 gaps of 6 px.
    expect(minimumWidth(template) + 20 + 8 + 4 * 6).toBeLessThanOrEqual(390);
  });

  it('keep their widths on a wide screen', () => {
    expect(gridTemplate(['timestamp', 'message'], false)).toBe('24px 200px minmax(200px, 1fr)');
  });
});
