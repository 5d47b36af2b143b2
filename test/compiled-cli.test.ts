import { execFile, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstallation, type Installation } from './installation.ts';
import { eventually, INGESTER_URL, QUERY_URL, spawnAll } from './roles.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUNDLE = fileURLToPath(new URL('../dist/logflow.mjs', import.meta.url));
const example = JSON.parse(readFileSync(new URL('./fixtures/example_log.json', import.meta.url), 'utf8'));
const run = promisify(execFile);

/** The command line of a running process, as `node` was given it. */
const commandLine = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);

/**
 * Production runs the compiled build (npm run build:server, what the Docker image runs) with plain
 * Node: no tsx and no TypeScript. Paths the code finds from its own location (the migrations,
 * web/dist) and the roles `logflow all` starts must work from dist/ as from the sources.
 */
describe('the compiled CLI (dist/logflow.mjs)', () => {
  let installation: Installation;
  let all: ChildProcess | undefined;
  const output: string[] = [];

  beforeAll(async () => {
    await run(process.execPath, ['cli/build.mjs'], { cwd: ROOT });
    installation = await createInstallation('compiled');
  });

  afterAll(async () => {
    // SIGTERM, not SIGKILL: the launcher then stops the role processes it started, which would outlive it.
    if (all && all.exitCode === null && all.signalCode === null) {
      const launcher = all;
      await new Promise((resolve) => {
        launcher.once('exit', resolve);
        launcher.kill('SIGTERM');
      });
    }
    await installation?.close();
  });

  it('prints its help', async () => {
    const { stdout } = await run(process.execPath, [BUNDLE, 'help']);
    expect(stdout).toContain('Usage: logflow <command>');
  });

  it('applies the migrations from the migrations folder', async () => {
    const { stdout } = await run(process.execPath, [BUNDLE, 'migrate'], { env: { ...process.env, ...installation.env } });
    expect(stdout).toContain('migrations applied');
    const tables = await installation.pool.query<{ n: string }>('SELECT count(*) AS n FROM logs');
    expect(tables.rows).toEqual([{ n: '0' }]);
  });

  it('runs every role from the build: a posted log is searchable, the dashboard is served, SIGTERM stops it cleanly, no error line', async () => {
    const started = spawnAll(installation.env, { entry: BUNDLE });
    all = started;
    for (const stream of [started.stdout, started.stderr]) stream.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    const roles = await eventually(
      async () => {
        const pids = output
          .join('')
          .split('\n')
          .filter((line) => line.includes('"msg":"started"'))
          .map((line) => JSON.parse(line.slice(line.indexOf('{'))) as { name: string; pid: number });
        return pids.length >= 5 ? pids : undefined;
      },
      90_000,
      500,
    ).catch((error: unknown) => {
      throw new Error(`the roles did not start: ${String(error)}\n${output.join('')}`);
    });
    // Each role is its own process of the same build, not the TypeScript through tsx.
    expect(roles.map((role) => role.name).sort()).toEqual(['es-sink', 'ingester', 'pg-sink', 'query', 'reconciler']);
    for (const { pid } of roles) expect(commandLine(pid)).toContain(BUNDLE);

    const resourceId = `compiled-${installation.env.KAFKA_GROUP_PREFIX}`;
    const posted = await fetch(`${INGESTER_URL}/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...example, resourceId }),
    });
    expect(posted.status).toBe(202);
    const { id } = (await posted.json()) as { id: string };
    const found = await eventually(async () => {
      const answer = (await (await fetch(`${QUERY_URL}/api/logs/search?resourceId=${encodeURIComponent(resourceId)}&from=2023-09-15T00:00:00Z`)).json()) as {
        hits?: { id: string }[];
      };
      return answer.hits?.length ? answer.hits : undefined;
    }, 30_000);
    expect(found.map((hit) => hit.id)).toEqual([id]);

    const dashboard = await fetch(`${QUERY_URL}/`);
    expect(dashboard.headers.get('content-type')).toContain('text/html');
    expect(await dashboard.text()).toContain('<div id="app"></div>');

    const exited = new Promise<number | null>((resolve) => started.once('exit', (code) => resolve(code)));
    started.kill('SIGTERM');
    expect(await exited).toBe(0);
    // A healthy start and stop writes nothing at level error or fatal: such a line means a fault.
    expect(
      output
        .join('')
        .split('\n')
        .filter((line) => /"level":[56]\d/.test(line)),
    ).toEqual([]);
  }, 150_000);
});
