import { execFile, spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

const ENTRY = fileURLToPath(new URL('../cli/logflow.mjs', import.meta.url));

/** Ports away from the defaults, so tests run beside a developer's `npm start` (or another test run). */
export const TEST_PORTS = {
  ingester: Number(process.env.TEST_INGESTER_PORT ?? 13000),
  query: Number(process.env.TEST_QUERY_PORT ?? 15000),
} as const;
export const INGESTER_URL = `http://127.0.0.1:${TEST_PORTS.ingester}`;
export const QUERY_URL = `http://127.0.0.1:${TEST_PORTS.query}`;

export interface RunningRole {
  role: string;
  process: ChildProcess;
  output: string[];
  /** SIGTERM and wait for a graceful exit. */
  stop(): Promise<void>;
}

/** The environment every role a test starts runs with, `env` (an installation's, say) on top. */
function testRoleEnvironment(env: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    INGESTER_PORT: String(TEST_PORTS.ingester),
    QUERY_PORT: String(TEST_PORTS.query),
    // The sinks' /metrics servers on any free port, unless a test asks for one.
    ES_SINK_PORT: '0',
    PG_SINK_PORT: '0',
    LOG_LEVEL: 'info',
    // Tests of other features run without API keys; test/security.test.ts turns auth on and uses real keys.
    LOGFLOW_AUTH: 'off',
    ...env,
  };
}

/** Spawns `logflow all [args]` (from `entry`: the sources by default, or a build) on the test ports; the caller watches it. */
export function spawnAll(env: Record<string, string>, { args = [], entry = ENTRY }: { args?: string[]; entry?: string } = {}): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(process.execPath, [entry, 'all', ...args], { env: testRoleEnvironment(env), stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Starts `logflow <role>` as a real process and resolves once it logged "started". */
export function startRole(role: string, env: Record<string, string> = {}, timeoutMs = 60_000): Promise<RunningRole> {
  const child = spawn(process.execPath, [ENTRY, role], { env: testRoleEnvironment(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running: RunningRole = {
    role,
    process: child,
    output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  let started = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${role} did not start within ${timeoutMs} ms:\n${output.join('\n')}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        output.push(line);
        if (line.includes('"msg":"started"')) {
          started = true;
          clearTimeout(timer);
          resolve(running);
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      // After a start this is a normal stop, and the whole output could be long: nothing to say.
      if (!started) reject(new Error(`${role} exited with ${code} before starting:\n${output.join('\n')}`));
    });
  });
}

export interface CreatedApiKey {
  /** The secret, for `Authorization: Bearer <key>`. */
  key: string;
  apiKey: { id: string; name: string; role: string; resourcePatterns: string[] | null; sqlRole: string | null };
}

/**
 * A real API key made by `logflow keys create` in the installation `env` names (its
 * DATABASE_SCHEMA), as an operator makes the first admin key of a fresh install. For roles
 * started with `LOGFLOW_AUTH: 'on'`.
 */
export async function createApiKey(role: 'ingest' | 'read' | 'admin', env: Record<string, string> = {}, name = `test-${role}`): Promise<CreatedApiKey> {
  const { stdout } = await promisify(execFile)(process.execPath, [ENTRY, 'keys', 'create', '--name', name, '--role', role, '--json'], {
    env: { ...process.env, ...env },
  });
  return JSON.parse(stdout) as CreatedApiKey;
}

/** Revokes a key made by createApiKey (`logflow keys revoke`), so no test key stays usable. */
export async function revokeApiKey(id: string, env: Record<string, string> = {}): Promise<void> {
  await promisify(execFile)(process.execPath, [ENTRY, 'keys', 'revoke', id], { env: { ...process.env, ...env } });
}

/** Polls `probe` until it returns a value or the time is up; a probe that throws is retried too. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let lastError: unknown;
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`condition not met within ${timeoutMs} ms${lastError ? `: ${lastError instanceof Error ? String(lastError) : JSON.stringify(lastError)}` : ''}`);
    }
    await sleep(everyMs);
  }
}
