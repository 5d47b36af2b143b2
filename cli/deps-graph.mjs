// `npm run deps`: the package dependency graph as the code has it (imports of @logflow/* per
// folder) beside what each package.json declares; exits 1 when code imports an undeclared package
// or breaks the layering (the lint rule enforces the same per import; this shows the whole).
// Node builtins only, so it runs on any checkout, old or new.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const root = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const folders = [...new Set([...root.workspaces, 'cli', 'bench', 'test'])].filter((f) => fs.existsSync(path.join(ROOT, f)));
const packageOf = new Map();
for (const folder of folders) {
  const file = path.join(ROOT, folder, 'package.json');
  if (fs.existsSync(file)) packageOf.set(folder, JSON.parse(fs.readFileSync(file, 'utf8')));
}

/** The subpaths a package declares in its exports ('.', './testing', ...). */
function entriesOf(name) {
  const pkg = [...packageOf.values()].find((p) => p.name === name);
  return typeof pkg?.exports === 'object' ? Object.keys(pkg.exports) : [];
}

function* sources(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'dist'].includes(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(full);
    else if (/\.(ts|mts|mjs|vue)$/.test(entry.name)) yield full;
  }
}

// The one-way layering: common <- core <- roles <- cli; the browser takes only common.
const ROLES = ['@logflow/ingester', '@logflow/sinks', '@logflow/query'];
const ALLOWED = {
  common: [],
  core: ['@logflow/common'],
  ingester: ['@logflow/common', '@logflow/core'],
  sinks: ['@logflow/common', '@logflow/core'],
  query: ['@logflow/common', '@logflow/core'],
  web: ['@logflow/common'],
};

const importPattern = /(?:from|import)\s*\(?\s*['"](@logflow\/[a-z-]+)(\/[^'"]*)?['"]/g;
let violations = 0;
const lines = [];
for (const folder of folders) {
  const edges = new Map();
  const deep = new Set();
  for (const file of sources(path.join(ROOT, folder))) {
    for (const [, name, subpath] of fs.readFileSync(file, 'utf8').matchAll(importPattern)) {
      if (name === packageOf.get(folder)?.name) continue;
      edges.set(name, (edges.get(name) ?? 0) + 1);
      if (subpath && !entriesOf(name).includes(`.${subpath}`)) deep.add(`${name}${subpath}`);
    }
  }
  const pkg = packageOf.get(folder);
  const declared = pkg ? { ...pkg.dependencies, ...pkg.devDependencies } : undefined;
  const own = pkg?.name ?? `${folder}/ (no package)`;
  const targets = [...edges].sort(([a], [b]) => a.localeCompare(b));
  lines.push(`${own} -> ${targets.length ? targets.map(([name, count]) => `${name} (${count})`).join(', ') : 'nothing'}`);
  for (const [name] of targets) {
    if (declared && !(name in declared)) {
      violations++;
      lines.push(`  ! ${name} imported but not in ${folder}/package.json`);
    }
    if (ALLOWED[folder] && !ALLOWED[folder].includes(name)) {
      violations++;
      lines.push(`  ! ${folder} may not import ${name}${ROLES.includes(name) && ROLES.includes(own) ? ' (a role importing another role)' : ''}`);
    }
  }
  if (deep.size) lines.push(`  deep imports (not a declared entry): ${deep.size} distinct (${[...deep].sort().slice(0, 6).join(', ')}${deep.size > 6 ? ', …' : ''})`);
}
console.log(lines.join('\n'));
process.exitCode = violations ? 1 : 0;
