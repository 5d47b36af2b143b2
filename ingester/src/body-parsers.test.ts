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

  it('refuses a forbidden key spelt with escapes in an NDJSON line, and takes the other lines of an NDJSON body as JSON', () => {
    expect(refusal(() => parseNdjsonBody(Buffer.from('{"ok":1}\n{"\\u005f_proto__":{"admin":true}}\n')))).toMatchObject({ status: 400, code: 'forbidden_key' });
    const lines: unknown[] = [{ a: 1 }, { constructor: 'kept: no prototype under it' }, { b: 2 }];
    expect(parseNdjsonBody(Buffer.from('\uFEFF{"a":1}\n{"constructor":"kept: no prototype under it"}\n\n{"b":2}\n'))).toEqual(lines);
    expect(parseNdjsonBody(Buffer.from('{"a":1}\r\n{"b":\n{"c":3}'))).toMatchObject([{ a: 1 }, { reason: expect.any(String) }, { c: 3 }]);
  });

  it('hands over a known NDJSON line as its shared value, unparsed; every other line is parsed, and a body with a forbidden key is still refused', () => {
    const shared = Object.freeze({ index: Object.freeze({}) });
    const known = new Map([['{"index":{}}', shared]]);
    const items = parseNdjsonBody(Buffer.from('{"index":{}}\n{"a":1}\n\n{"index": {}}\n{"index":{}}\r\n{"index":{}}\n'), known);
    expect(items).toEqual([shared, { a: 1 }, { index: {} }, { index: {} }, shared]);
    expect(items[0]).toBe(shared);
    expect(items[4]).toBe(shared);
    expect(items[2]).not.toBe(shared);
    expect(refusal(() => parseNdjsonBody(Buffer.from('{"index":{}}\n{"__proto__":{"admin":true}}\n'), known))).toMatchObject({ status: 400, code: 'forbidden_key' });
  });

  it('refuses malformed JSON with a 400', () => {
    expect(refusal(() => parseJsonBody(Buffer.from('{"level":')))).toMatchObject({ status: 400, code: 'invalid_json' });
  });

  it('refuses invalid UTF-8 instead of replacing it', () => {
    const body = Buffer.concat([Buffer.from('{"message":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    expect(refusal(() => parseJsonBody(body))).toMatchObject({ status: 400, code: 'invalid_utf8' });
  });
});
