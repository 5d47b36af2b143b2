import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./logflow.mjs', import.meta.url));

/**
 * V8 lets a busy sink's heap grow far past its few MiB of live batches before collecting;
 * a cap keeps each sink under 300 MB at the same speed (see the sinks benchmark).
 */
const NODE_FLAGS: Record<string, string[]> = {
  'es-sink': ['--max-old-space-size=128'],
  'pg-sink': ['--max-old-space-size=128'],
};

/**
 * Runs every role as its own process (as production would), prefixing each output line with
 * the role. One role exiting stops the others: a half-running pipeline is worse than none.
 */
export function runAll(roles: string[]): Promise<number> {
  const width = Math.max(...roles.map((r) => r.length));
  const children = new Map<string, ChildProcess>();
  let stopping = false;

  const stopAll = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    for (const child of children.values()) child.kill(signal);
  };

  return new Promise((resolve) => {
    let exitCode = 0;
    for (const role of roles) {
      // Node flags given to `logflow all` (e.g. --cpu-prof) apply to every role.
      const child = spawn(process.execPath, [...process.execArgv, ...(NODE_FLAGS[role] ?? []), ENTRY, role], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
      children.set(role, child);
      const prefix = `[${role.padEnd(width)}] `;
      for (const stream of [child.stdout, child.stderr]) {
        createInterface({ input: stream! }).on('line', (line) => process.stdout.write(prefix + line + '\n'));
      }
      child.on('exit', (code, signal) => {
        children.delete(role);
        if (!stopping) {
          process.stdout.write(`${prefix}exited (${signal ?? code}); stopping the other roles\n`);
          exitCode = code || 1;
          stopAll('SIGTERM');
        }
        if (children.size === 0) resolve(exitCode);
      });
    }
    process.on('SIGINT', () => stopAll('SIGTERM'));
    process.on('SIGTERM', () => stopAll('SIGTERM'));
  });
}
