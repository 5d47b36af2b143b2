import { sep } from 'node:path';

/**
 * How long browsers may keep a dashboard file. Vite names everything under assets/ by its
 * content's hash, so those never change and a browser need not even ask again; index.html names
 * the current ones, so it is checked on every load.
 */
export function webCacheControl(path: string): string {
  return path.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache';
}
