import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { build, type Plugin, type Rolldown } from 'vite';

type RolldownOutput = Rolldown.RolldownOutput;

const EARLY_ENTRY = 'src/early.ts';

/**
 * Puts the early script (src/early.ts: the search view's first request) into the page itself, as
 * an async inline module bundled on its own. It then runs as soon as the HTML is parsed, while the
 * app's large chunks download and compile; as a chunk of the app's build, it would wait for them.
 */
export function earlyScript(): Plugin {
  let root = '';
  let building = false;
  let code = '';
  return {
    name: 'logflow-early-script',
    configResolved(config) {
      root = config.root;
      building = config.command === 'build';
    },
    async buildStart() {
      if (!building) return;
      const output = (await build({
        configFile: false,
        root,
        logLevel: 'warn',
        build: { write: false, lib: { entry: join(root, EARLY_ENTRY), formats: ['es'] }, rolldownOptions: { output: { minify: true } } },
      })) as RolldownOutput[];
      code = output[0].output[0].code;
    },
    transformIndexHtml() {
      const attrs = { type: 'module', async: true };
      return [building ? { tag: 'script', attrs, children: code, injectTo: 'head' } : { tag: 'script', attrs: { ...attrs, src: `/${EARLY_ENTRY}` }, injectTo: 'head' }];
    },
  };
}

const COMPRESSIBLE = /\.(js|css|html|svg)$/;

/**
 * Writes a .br and a .gz beside every script, stylesheet and page of the build, which the query
 * service sends as they are (@fastify/static `preCompressed`): compressed once, at their smallest,
 * instead of on every request.
 */
export function precompress(): Plugin {
  return {
    name: 'logflow-precompress',
    apply: 'build',
    writeBundle({ dir }, bundle) {
      for (const fileName of Object.keys(bundle).filter((name) => COMPRESSIBLE.test(name))) {
        const path = join(dir!, fileName);
        const content = readFileSync(path);
        writeFileSync(`${path}.br`, brotliCompressSync(content));
        writeFileSync(`${path}.gz`, gzipSync(content, { level: 9 }));
      }
    },
  };
}
