import { describe, expect, it } from 'vitest';
import { toCsv } from './csv.ts';

describe('csv', () => {
  it('quotes what needs it and writes objects as JSON', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x,y', 'say "hi"'],
          [null, { k: 1 }],
          ['line\nbreak', 3],
        ],
      ),
    ).toBe('a,b\r\n"x,y","say ""hi"""\r\n,"{""k"":1}"\r\n"line\nbreak",3\r\n');
  });
});
