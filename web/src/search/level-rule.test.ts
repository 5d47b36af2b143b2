import { describe, expect, it } from 'vitest';
import { effectiveLevels, queryNamesLevel } from './level-rule.ts';

describe('the level drop-down and level: in the query', () => {
  it('sees level named anywhere in the query, negated or nested', () => {
    expect(queryNamesLevel('level:error')).toBe(true);
    expect(queryNamesLevel('timeout AND (NOT level:debug OR resourceId:a)')).toBe(true);
    expect(queryNamesLevel('-level:(info OR debug)')).toBe(true);
    expect(queryNamesLevel('"level:error" AND x')).toBe(false);
    expect(queryNamesLevel('levelled')).toBe(false);
    expect(queryNamesLevel('level:error AND')).toBe(false);
  });

  it('sends the drop-down levels only when the query leaves the level to it', () => {
    expect(effectiveLevels('level:error', ['info'])).toEqual([]);
    expect(effectiveLevels('timed out', ['info', 'warn'])).toEqual(['info', 'warn']);
  });
});
