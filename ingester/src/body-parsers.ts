import { createGunzip } from 'node:zlib';
import { Transform } from 'node:stream';
import secureJson from 'secure-json-parse';
import { AppError, type HttpServer } from '@logflow/core';

/** An NDJSON line that is not JSON: reported as an invalid item, the other lines go on. */
export class BrokenLine {
  constructor(readonly reason: string) {}
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(body: Buffer): string {
  try {
    return utf8.decode(body);
  } catch {
    throw new AppError(400, 'invalid_utf8', 'the body is not valid UTF-8');
  }
}

/** JSON.parse that refuses `__proto__` and `constructor.prototype` keys instead of stripping them. */
function parseJson(text: string): unknown {
  return secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
}

function isPollution(error: unknown): boolean {
  return error instanceof SyntaxError && /prototype property/.test(error.message);
}

function pollutionError(): AppError {
  return new AppError(400, 'forbidden_key', 'the body contains a __proto__ or constructor.prototype key; nothing was accepted');
}

export function parseJsonBody(body: Buffer): unknown {
  const text = decodeUtf8(body);
  try {
    return parseJson(text);
  } catch (error) {
    if (isPollution(error)) throw pollutionError();
    throw new AppError(400, 'invalid_json', `the body is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Whether a line could hold a `__proto__` or `constructor` key (JSON spells one with those
 * letters or with \u escapes) or start with a byte-order mark, which secure-json-parse drops.
 * Checked once over a whole NDJSON body, it spares the lines of any other body
 * secure-json-parse's scan each, which cost more than parsing the line.
 */
const needsSecureParse = (text: string) => text.includes('__proto__') || text.includes('constructor') || text.includes('\\u') || text.includes('\uFEFF');

/**
 * One JSON value per line; blank lines are skipped, a broken line becomes a BrokenLine item.
 * A line that is a key of `known` (spelled exactly so) is its value, unparsed: a protocol's
 * frequent constant line (the bulk API's `{"index":{}}`), a frozen object shared by its lines.
 */
export function parseNdjsonBody(body: Buffer, known?: ReadonlyMap<string, unknown>): unknown[] {
  const text = decodeUtf8(body);
  const parse = needsSecureParse(text) ? parseJson : JSON.parse;
  // Only lines as short as a known one are looked up: hashing each long line would cost more than it spares.
  let knownLength = -1;
  for (const line of known?.keys() ?? []) knownLength = Math.max(knownLength, line.length);
  const items: unknown[] = [];
  for (const line of text.split('\n')) {
    const value = line.length <= knownLength ? known?.get(line) : undefined;
    if (value !== undefined) {
      items.push(value);
      continue;
    }
    if (line.trim() === '') continue;
    try {
      items.push(parse(line));
    } catch (error) {
      if (isPollution(error)) throw pollutionError();
      items.push(new BrokenLine((error as Error).message));
    }
  }
  return items;
}

/** Counts compressed bytes so fastify can check Content-Length against what arrived. */
class EncodedLengthCounter extends Transform {
  receivedEncodedLength = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null, data?: Buffer) => void) {
    this.receivedEncodedLength += chunk.length;
    done(null, chunk);
  }
}

/** Anything that takes content-type parsers: the app or one of its plugins. */
type ParserHost = Pick<HttpServer, 'addContentTypeParser'>;

/**
 * Reads bodies of `contentTypes` whole (after decompression), counts their bytes with
 * `onBodyBytes` and hands them to `parse`, whose error becomes the request's answer.
 */
export function addBufferParser(app: ParserHost, contentTypes: string | string[], parse: (body: Buffer) => unknown, onBodyBytes: (request: object, bytes: number) => void): void {
  app.addContentTypeParser(contentTypes, { parseAs: 'buffer' }, (request, body, done) => {
    try {
      onBodyBytes(request, (body as Buffer).length);
      done(null, parse(body as Buffer));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}

/**
 * JSON and NDJSON bodies, optionally gzip-compressed. The body limit applies after
 * decompression (fastify stops reading the inflating stream at the limit: no gzip bomb).
 */
export function registerBodyParsers(app: HttpServer, onBodyBytes: (request: object, bytes: number) => void): void {
  app.removeAllContentTypeParsers();
  addBufferParser(app, 'application/json', parseJsonBody, onBodyBytes);
  addBufferParser(app, 'application/x-ndjson', parseNdjsonBody, onBodyBytes);

  app.addHook('preParsing', async (request, _reply, payload) => {
    const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding === 'identity') return payload;
    if (encoding !== 'gzip') {
      throw new AppError(415, 'unsupported_encoding', `Content-Encoding ${encoding} is not supported; use gzip or none`);
    }
    const counter = new EncodedLengthCounter();
    const inflated = payload.pipe(counter).pipe(createGunzip());
    // Corrupt gzip is reported by fastify's body reader (400); this keeps an early error from crashing the process.
    inflated.on('error', () => undefined);
    return Object.defineProperty(inflated, 'receivedEncodedLength', { get: () => counter.receivedEncodedLength });
  });
}
