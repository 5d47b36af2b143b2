import { describe, expect, it } from 'vitest';
import { AppError } from '@logflow/core';
import { parseJsonBody, parseNdjsonBody } from './body-parsers.ts';

const refusal = (parse: () => unknown) => {
  try {
    parse();
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected a refusal');
};

describe('body parsers', () => {
  it('parses JSON objects and arrays', () => {
    expect(parseJsonBody(Buffer.from('[{"a":1},{"b":2}]'))).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('refuses __proto__ and constructor.prototype keys, in JSON and in any NDJSON line', () => {
    for (const body of ['{"__proto__":{"admin":true}}', '{"metadata":{"constructor":{"prototype":{"x":1}}}}']) {
      expect(refusal(() => parseJsonBody(Buffer.from(body)))).toMatchObject({ status: 400, code: 'forbidden_key' });
      expect(refusal(() => parseNdjsonBody(Buffer.from(`{"ok":1}\n${body}\n`)))).toMatchObject({ status: 400, code: 'forbidden_key' });
    }
  });

  it('refuses malformed JSON with a 400', () => {
    expect(refusal(() => parseJsonBody(Buffer.from('{"level":')))).toMatchObject({ status: 400, code: 'invalid_json' });
  });

  it('refuses invalid UTF-8 instead of replacing it', () => {
    const body = Buffer.concat([Buffer.from('{"message":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    expect(refusal(() => parseJsonBody(body))).toMatchObject({ status: 400, code: 'invalid_utf8' });
  });
});
