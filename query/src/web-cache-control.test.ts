import { describe, expect, it } from 'vitest';
import { webCacheControl } from './web-cache-control.ts';

describe('webCacheControl', () => {
  it('lets browsers keep hashed assets for good and check index.html every time', () => {
    expect(webCacheControl('/srv/web/dist/assets/index-CXX9zbuq.js.br')).toBe('public, max-age=31536000, immutable');
    expect(webCacheControl('/srv/web/dist/index.html')).toBe('no-cache');
  });
});
