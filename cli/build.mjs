// `npm run build:server`: the server side (every role and CLI command) compiled by esbuild into one
// file, dist/logflow.mjs, which production runs with plain Node (no tsx). The @logflow workspace
// packages are inlined (they export TypeScript); every npm dependency stays an import of node_modules.
import { build } from 'esbuild';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD_INPUTS, DIST, ROOT, SERVER_BUNDLE } from './bootstrap.mjs';

/** The CLI's TypeScript entry: every role and command is reached from it. */
const ENTRY = 'cli/main.ts';

const root = path.resolve(ROOT);
const readJson = (file) => JSON.parse(readFileSync(path.join(ROOT, file), 'utf8'));

/** The root package.json and every workspace's: what the build depends on besides the sources. */
function packageFiles() {
  return ['package.json', ...readJson('package.json').workspaces.map((workspace) => `${workspace}/package.json`)];
}

/** Packages production installs (`npm ci --omit=dev`): what the bundle may import from node_modules. */
function productionDependencies() {
  const names = new Set();
  for (const file of packageFiles()) {
    const manifest = readJson(file);
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
      for (const name of Object.keys(manifest[field] ?? {})) names.add(name);
    }
  }
  return names;
}

const packageName = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

/** The nearest node_modules folder above `from` that holds `name`, as Node would find it. */
function installedAt(name, from) {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'node_modules', name))) return dir;
    if (dir === path.dirname(dir)) return undefined;
  }
}

/**
 * Workspace code is inlined; an npm package stays external, so the bundle imports it from the
 * root node_modules at run time. That must be the copy the source imports, and one production
 * installs: a package missing from every package.json's dependencies, or one a workspace keeps
 * in a node_modules of its own (another version), fails the build rather than the first start.
 */
function dependenciesStayExternal() {
  const allowed = productionDependencies();
  return {
    name: 'logflow-externals',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, ({ path: specifier, importer }) => {
        if (isBuiltin(specifier)) return { external: true };
        const name = packageName(specifier);
        if (name.startsWith('@logflow/')) return undefined;
        const where = path.relative(root, importer);
        if (!allowed.has(name)) return { errors: [{ text: `${where} imports ${name}, which no package.json lists under dependencies (production installs without devDependencies)` }] };
        const home = installedAt(name, path.dirname(importer));
        if (home !== root) return { errors: [{ text: `${where} finds ${name} in ${home ? `${path.relative(root, home)}/node_modules` : 'no node_modules'}, not the root's that the bundle imports` }] };
        return { external: true };
      });
    },
  };
}

/**
 * `new URL('../../migrations', import.meta.url)` and the like must name the same folder in the
 * bundle as in the source: each module's import.meta.url becomes its source file's URL, computed
 * from the bundle's own location, so the build works wherever the checkout or image sits and
 * however the sources are laid out (the migrations and web/dist stay beside dist/, as in the repo).
 */
const importMetaUrlOfSource = {
  name: 'logflow-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, ({ path: file }) => {
      const source = readFileSync(file, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const fromBundle = path.relative(DIST, file).split(path.sep).join('/');
      return { contents: source.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`), loader: 'ts' };
    });
  },
};

const startedAt = Date.now();
const result = await build({
  absWorkingDir: ROOT,
  entryPoints: [ENTRY],
  outfile: SERVER_BUNDLE,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  // Error and class names show in logs (pino's err.type); bundling would rename clashing ones.
  keepNames: true,
  metafile: true,
  logLevel: 'warning',
  plugins: [dependenciesStayExternal(), importMetaUrlOfSource],
}).catch(() => process.exit(1)); // esbuild has printed the errors
// What the freshness check (bootstrap.mjs) compares with the build: every inlined source, the
// package.json files the externals come from, and this script.
const inputs = [...Object.keys(result.metafile.inputs), ...packageFiles(), path.relative(ROOT, fileURLToPath(import.meta.url))];
writeFileSync(BUILD_INPUTS, `${JSON.stringify({ startedAt, inputs }, null, 2)}\n`);
console.log(`[logflow] built ${path.relative(ROOT, SERVER_BUNDLE)} from ${Object.keys(result.metafile.inputs).length} sources in ${Date.now() - startedAt} ms`);
