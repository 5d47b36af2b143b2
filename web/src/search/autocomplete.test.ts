import { describe, expect, it } from 'vitest';
import { applySuggestion, completionContext, fieldSuggestions, quoteValue, valueSuggestions } from './autocomplete.ts';

describe('query autocomplete', () => {
  it('finds a field name being typed, after an operator or a negation', () => {
    expect(completionContext('reso', 4)).toEqual({ kind: 'field', prefix: 'reso', start: 0, end: 4 });
    expect(completionContext('level:error AND tra', 19)).toEqual({ kind: 'field', prefix: 'tra', start: 16, end: 19 });
    expect(completionContext('-meta', 5)).toEqual({ kind: 'field', prefix: 'meta', start: 1, end: 5 });
    expect(completionContext('a AND ', 6)).toBeUndefined();
    expect(completionContext('x AND', 5)).toBeUndefined();
  });

  it('finds a value being typed after field:, quoted or not', () => {
    expect(completionContext('level:er', 8)).toEqual({ kind: 'value', field: 'level', prefix: 'er', start: 6, end: 8 });
    expect(completionContext('resourceId:', 11)).toEqual({ kind: 'value', field: 'resourceId', prefix: '', start: 11, end: 11 });
    expect(completionContext('NOT metadata.region:"eu w', 25)).toEqual({ kind: 'value', field: 'metadata.region', prefix: 'eu w', start: 20, end: 25 });
  });

  it('suggests fields, built-in first, then metadata keys seen', () => {
    expect(fieldSuggestions('re', []).map((s) => s.label)).toEqual(['resourceId', 'receivedAt']);
    expect(fieldSuggestions('metadata.r', ['metadata.region', 'metadata.rack', 'metadata.region']).map((s) => s.insert)).toEqual(['metadata.rack:', 'metadata.region:']);
    expect(fieldSuggestions('level', [])).toEqual([]);
  });

  it('suggests levels, and the top values of other fields with their counts', () => {
    expect(valueSuggestions('level', 'e', []).map((s) => s.label)).toEqual(['error']);
    expect(
      valueSuggestions('resourceId', 'check', [
        { value: 'checkout-1', count: 294 },
        { value: 'cart', count: 3 },
      ]),
    ).toEqual([{ label: 'checkout-1', insert: 'checkout-1 ', count: 294 }]);
    expect(quoteValue('eu west')).toBe('"eu west"');
    expect(quoteValue('OR')).toBe('"OR"');
  });

  it('replaces the word at the cursor and puts the cursor after it', () => {
    const query = 'level:error AND reso';
    const context = completionContext(query, query.length)!;
    expect(applySuggestion(query, context, { label: 'resourceId', insert: 'resourceId:' })).toEqual({ query: 'level:error AND resourceId:', cursor: 27 });
    const value = completionContext('level:e AND x', 7)!;
    expect(applySuggestion('level:e AND x', value, { label: 'error', insert: 'error ' })).toEqual({ query: 'level:error AND x', cursor: 12 });
  });
});
