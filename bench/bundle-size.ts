import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Gzipped bytes of built files (level 6, what servers use by default), by file name in `assetsDir`. */
export function gzippedBytes(assetsDir: string, files: readonly string[]): number {
  return files.reduce((sum, file) => sum + gzipSync(readFileSync(`${assetsDir}/${basename(file)}`), { level: 6 }).length, 0);
}

export function builtScripts(assetsDir: string): string[] {
  return readdirSync(assetsDir).filter((file) => file.endsWith('.js'));
}
