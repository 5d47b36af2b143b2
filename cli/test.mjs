// `npm test`: dependencies, engines (unless given), then vitest with its unit and pipeline projects,
// under time limits: a file that runs longer than its limit, or a run longer than the whole-run
// limit, is stopped (vitest and every process it started) and named, so CI never hangs.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { engineEnvironment, ensureDependencies, ROOT } from './bootstrap.mjs';

const minutes = (name, fallback) => Number(process.env[name] ?? fallback) * 60_000;
/** Per file; the chaos file runs ~20 faults one after the other. CI allows 90 minutes in all. */
const FILE_LIMIT_MS = minutes('TEST_FILE_LIMIT_MINUTES', 10);
const CHAOS_FILE_LIMIT_MS = minutes('TEST_CHAOS_FILE_LIMIT_MINUTES', 35);
const RUN_LIMIT_MS = minutes('TEST_RUN_LIMIT_MINUTES', 70);
const limitOf = (file) => (file.endsWith('chaos.test.ts') ? CHAOS_FILE_LIMIT_MS : FILE_LIMIT_MS);

ensureDependencies();
const engines = await engineEnvironment();
const progressFile = path.join(os.tmpdir(), `logflow-vitest-${process.pid}.json`);
const started = Date.now();
// Its own process group: stopping it stops the role processes the tests started too.
const vitest = spawn('npx', ['vitest', 'run', '--reporter=default', `--reporter=${path.join(ROOT, 'test/progress-reporter.ts')}`, ...process.argv.slice(2)], {
  cwd: ROOT,
  stdio: 'inherit',
  detached: true,
  env: { ...process.env, ...engines, VITEST_PROGRESS_FILE: progressFile },
});
const exited = new Promise((resolve) => vitest.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));

const progress = () => {
  try {
    return JSON.parse(fs.readFileSync(progressFile, 'utf8'));
  } catch {
    return {};
  }
};

/** Why the run must stop now, or undefined. */
function overrun() {
  const now = Date.now();
  if (now - started > RUN_LIMIT_MS) return { what: `the whole run passed its limit of ${RUN_LIMIT_MS / 60_000} min`, files: [] };
  const late = Object.entries(progress()).filter(([file, entry]) => entry.endedAt === undefined && now - entry.startedAt > limitOf(file));
  if (late.length) return { what: 'files passed their time limit', files: late.map(([file]) => `${file} (limit ${limitOf(file) / 60_000} min)`) };
  return undefined;
}

let stopped;
const watchdog = setInterval(() => {
  stopped ??= overrun();
  if (!stopped) return;
  clearInterval(watchdog);
  const kill = (signal) => {
    // No pid: vitest never started, so there is nothing to stop.
    if (vitest.pid === undefined) return;
    try {
      process.kill(-vitest.pid, signal);
    } catch {
      // already gone
    }
  };
  kill('SIGTERM');
  setTimeout(() => kill('SIGKILL'), 15_000).unref();
}, 5_000);

const code = await exited;
clearInterval(watchdog);
const files = progress();
fs.rmSync(progressFile, { force: true });
const failed = Object.entries(files)
  .filter(([, entry]) => entry.state === 'failed')
  .map(([file]) => file);
const unfinished = Object.entries(files)
  .filter(([, entry]) => entry.endedAt === undefined)
  .map(([file]) => file);
const lines = [`[logflow] test run: ${((Date.now() - started) / 60_000).toFixed(1)} min, ${Object.keys(files).length} files started`];
if (stopped) lines.push(`[logflow] STOPPED: ${stopped.what}${stopped.files.length ? `: ${stopped.files.join(', ')}` : ''}`);
if (failed.length) lines.push(`[logflow] files that failed: ${failed.join(', ')}`);
if (unfinished.length) lines.push(`[logflow] files that did not finish: ${unfinished.join(', ')}`);
const failedTests = Object.values(files).flatMap((entry) => entry.failedTests ?? []);
if (failedTests.length) lines.push('[logflow] tests that failed:', ...failedTests.map((test) => `  - ${test}`));
console.log(lines.join('\n'));
process.exit(stopped ? 1 : code);
