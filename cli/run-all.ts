import type { Logger } from '@logflow/core';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * V8 lets a busy sink's heap grow far past its few MiB of live batches before collecting;
 * a cap keeps each sink under 300 MB at the same speed (see the sinks benchmark). The
 * ingester's cap leaves room for INGEST_IN_PROGRESS_MAX_BYTES of requests (about 8× that on
 * the heap) above its ~45 MiB at rest; past it requests answer 429 (see BodyBudget).
 */
const NODE_FLAGS: Record<string, string[]> = {
  ingester: ['--max-old-space-size=160'],
  'es-sink': ['--max-old-space-size=128'],
  'pg-sink': ['--max-old-space-size=128'],
};

export interface RestartPolicy {
  /** The wait before the first restart of a role that failed. */
  initialMs: number;
  /** The longest wait, however often the role failed in a row. */
  maxMs: number;
  /** A role that ran this long before it exited starts over from `initialMs`. */
  stableMs: number;
}

export const RESTART_POLICY: RestartPolicy = { initialMs: 1_000, maxMs: 30_000, stableMs: 60_000 };

/** The wait before a role's restart after its `failures`-th exit in a row: doubling from initialMs, at most maxMs. */
export function restartDelay(failures: number, policy: RestartPolicy = RESTART_POLICY): number {
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, failures - 1));
}

/**
 * Runs every role as its own process (as production would), prefixing each output line with
 * the role. A role that exits on its own (a crash, a kill) is logged and started again after a
 * backoff, while the others keep serving: one role's fault must not take the whole installation
 * down. SIGINT/SIGTERM stop every role gracefully; resolves with 0, or 1 if a role stopped uncleanly.
 */
export function runAll(roles: string[], logger: Logger, policy: RestartPolicy = RESTART_POLICY, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const width = Math.max(...roles.map((r) => r.length));
  const children = new Map<string, ChildProcess>();
  const pendingRestarts = new Map<string, NodeJS.Timeout>();
  const restarts = new Map<string, number>();
  const failuresInARow = new Map<string, number>();
  let stopping = false;
  let exitCode = 0;

  return new Promise((resolve) => {
    const start = (role: string) => {
      const startedAt = Date.now();
      // Each role starts the way this launcher was started (the compiled dist/logflow.mjs, cli/logflow.mjs
      // or tsx), with the same Node flags (e.g. --cpu-prof).
      const child = spawn(process.execPath, [...process.execArgv, ...(NODE_FLAGS[role] ?? []), process.argv[1]!, role], { stdio: ['ignore', 'pipe', 'pipe'], env });
      children.set(role, child);
      const prefix = `[${role.padEnd(width)}] `;
      for (const stream of [child.stdout, child.stderr]) {
        createInterface({ input: stream }).on('line', (line) => process.stdout.write(prefix + line + '\n'));
      }
      child.on('error', (err) => logger.error({ err, role }, 'could not start the role'));
      child.on('exit', (code, signal) => {
        children.delete(role);
        if (stopping) {
          if (code !== 0 && signal === null) exitCode = 1;
          if (children.size === 0) resolve(exitCode);
          return;
        }
        const failures = Date.now() - startedAt >= policy.stableMs ? 1 : (failuresInARow.get(role) ?? 0) + 1;
        failuresInARow.set(role, failures);
        const count = (restarts.get(role) ?? 0) + 1;
        restarts.set(role, count);
        const delayMs = restartDelay(failures, policy);
        logger.error(
          { role, exitCode: code, signal, restarts: count, failuresInARow: failures, restartInMs: delayMs },
          'a role exited unexpectedly; restarting it after a backoff, the other roles keep running',
        );
        pendingRestarts.set(
          role,
          setTimeout(() => {
            pendingRestarts.delete(role);
            start(role);
          }, delayMs),
        );
      });
    };

    const stopAll = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping every role');
      for (const timer of pendingRestarts.values()) clearTimeout(timer);
      pendingRestarts.clear();
      if (children.size === 0) resolve(exitCode);
      for (const child of children.values()) child.kill('SIGTERM');
    };

    for (const role of roles) start(role);
    process.on('SIGINT', () => stopAll('SIGINT'));
    process.on('SIGTERM', () => stopAll('SIGTERM'));
  });
}
