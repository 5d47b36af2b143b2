// Shared by `npm start`, `npm test` and the `logflow` command: plain Node, no dependencies,
// because it runs before `npm ci`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST = path.join(ROOT, 'dist');
/** The compiled CLI (cli/build.mjs): what production runs. */
export const SERVER_BUNDLE = path.join(DIST, 'logflow.mjs');
/** The files the bundle was built from and when: the build's freshness. */
export const BUILD_INPUTS = path.join(DIST, 'build-inputs.json');
const ENGINE_VARIABLES = ['KAFKA_BROKERS', 'ELASTICSEARCH_URL', 'DATABASE_URL', 'REDIS_URL'];

export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.signal ?? result.status})`);
  }
}

/** A fresh clone has no node_modules: install exactly what the lockfile says. */
export function ensureDependencies() {
  if (!existsSync(`${ROOT}/node_modules/.package-lock.json`)) {
    console.log('[logflow] installing dependencies (npm ci)…');
    run('npm', ['ci', '--no-audit', '--no-fund']);
  }
}

const modifiedMs = (file) => {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return Infinity;
  }
};

/** True when dist/logflow.mjs was built from the sources as they are now: none changed or went away since. */
export function serverBuildIsFresh() {
  let built;
  try {
    built = JSON.parse(readFileSync(BUILD_INPUTS, 'utf8'));
  } catch {
    return false;
  }
  return existsSync(SERVER_BUNDLE) && built.inputs.every((file) => modifiedMs(path.join(ROOT, file)) <= built.startedAt);
}

/** Every file under `dir` but build output and installed packages. */
function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return ['node_modules', 'dist'].includes(entry.name) ? [] : filesUnder(file);
    return entry.isFile() ? [file] : [];
  });
}

/** True when web/dist is newer than every file of the dashboard and of the workspace packages it imports. */
export function webBuildIsFresh() {
  const built = modifiedMs(path.join(ROOT, 'web/dist/index.html'));
  if (built === Infinity) return false;
  const workspaces = Object.keys(JSON.parse(readFileSync(path.join(ROOT, 'web/package.json'), 'utf8')).dependencies ?? {})
    .filter((name) => name.startsWith('@logflow/'))
    .map((name) => realpathSync(path.join(ROOT, 'node_modules', name)));
  return [path.join(ROOT, 'web'), ...workspaces].flatMap(filesUnder).every((file) => modifiedMs(file) <= built);
}

/**
 * Before running LogFlow: the server bundle (unless LOGFLOW_DEV=1, which runs the sources through
 * tsx) and the dashboard, each built again only when a source changed since its last build.
 */
export function ensureBuild() {
  if (process.env.LOGFLOW_DEV !== '1' && !serverBuildIsFresh()) run(process.execPath, ['cli/build.mjs']);
  if (!webBuildIsFresh()) {
    console.log('[logflow] building the dashboard…');
    run('npm', ['run', 'build', '-w', 'web']);
  }
}

/**
 * The engines' settings: the four URLs when the caller gives them all, otherwise the local
 * stack (started when not running yet).
 */
export async function engineEnvironment() {
  if (ENGINE_VARIABLES.every((name) => process.env[name])) {
    console.log('[logflow] using the engines given in the environment');
    return Object.fromEntries(ENGINE_VARIABLES.map((name) => [name, process.env[name]]));
  }
  const { up } = await import('../stack/index.mjs');
  return up({ log: (line) => console.log(`[stack] ${line}`) });
}
