// Shared by `npm start` and `npm test`: plain Node, no dependencies, because it runs before `npm ci`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
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

export function ensureWebBuild() {
  if (!existsSync(`${ROOT}/web/dist/index.html`)) {
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
