import { describe, expect, it } from 'vitest';
import { highlightSegments } from './highlight.ts';

describe('highlight segments', () => {
  it('splits marks from text and decodes the escaping', () => {
    expect(highlightSegments('<mark>Failed</mark> to &lt;b&gt; &amp; <mark>connect</mark>')).toEqual([
      { text: 'Failed', marked: true },
      { text: ' to <b> & ', marked: false },
      { text: 'connect', marked: true },
    ]);
  });

  it('never turns escaped markup into a mark', () => {
    expect(highlightSegments('&lt;mark&gt;x&lt;/mark&gt;')).toEqual([{ text: '<mark>x</mark>', marked: false }]);
  });
});
