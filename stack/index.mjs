// Starts/stops Kafka, Elasticsearch, Postgres and Redis on loopback without Docker.
// API: up({ log }) → connection settings; down({ log }); status() → one object per engine.
import path from 'node:path';
import { elasticsearch } from './elasticsearch.mjs';
import { kafka } from './kafka.mjs';
import { postgres } from './postgres.mjs';
import { redis } from './redis.mjs';
import {
  DATA_DIR,
  HOME_DIR,
  LOG_DIR,
  STACK_DIR,
  STACK_USER,
  adoptPid,
  aptInstall,
  assertTraversable,
  ensureUser,
  isAlive,
  listenerPid,
  mkdirp,
  ourPid,
  ownDir,
  portOpen,
  removePid,
  rssKiB,
  run,
  tail,
  waitFor,
  withLock,
  writePid,
} from './util.mjs';

// Elasticsearch first: it takes longest to start, so its Maven download goes first in the queue.
export const engines = [elasticsearch, kafka, postgres, redis];

/** The connection settings every service reads from its environment. */
export const settings = Object.freeze(Object.fromEntries([kafka, elasticsearch, postgres, redis].map((e) => [e.envKey, e.envValue])));

// Debian services that an install could start on our ports (policy-rc.d normally prevents it).
const SYSTEM_SERVICE = { postgres: 'postgresql', redis: 'redis-server' };

async function usable(engine) {
  try {
    return Boolean(await engine.probe());
  } catch {
    return false;
  }
}

const secs = (t0) => `${((Date.now() - t0) / 1000).toFixed(1)}s`;

function withLogTail(engine, err) {
  const logs = [engine.logFile, ...(engine.extraLogFiles ?? [])];
  const tails = logs.map((f) => `--- last lines of ${f}:\n${tail(f, 30)}`).join('\n');
  const e = new Error(`${engine.name}: ${err.message}\n${tails}`);
  e.engine = engine.name;
  return e;
}

async function upEngine(engine, { log, user }) {
  const say = (m) => log(`[${engine.name}] ${m}`);
  const t0 = Date.now();
  let pid = await adoptPid(engine.name, engine.port);
  try {
    if (pid) {
      say(`started earlier by us (pid ${pid}) but not usable yet; waiting`);
      await engine.afterStart?.({ pid, log: say });
    } else {
      removePid(engine.name);
      if (await portOpen(engine.port)) {
        // Not ours and not (yet) usable: maybe still booting. Never kill what we didn't start.
        say(`port ${engine.port} is held by a process we did not start; waiting for it to become usable`);
        try {
          await waitFor(() => engine.probe(), { timeoutMs: 30_000, what: engine.name });
        } catch (err) {
          throw new Error(`port ${engine.port} is in use by a process that is not a usable ${engine.name} (${err.message}); stop it or free the port`, {
            cause: err,
          });
        }
        say(`usable (not started by us) after ${secs(t0)}`);
        return;
      }
      say('starting');
      pid = await engine.start({ log: say, user });
      writePid(engine.name, pid);
      say(`started (pid ${pid}) after ${secs(t0)}; waiting until usable`);
      await engine.afterStart?.({ pid, log: say });
    }
    await waitFor(() => engine.probe(), {
      timeoutMs: engine.readyTimeoutMs,
      isDead: () => !isAlive(pid),
      onWait: (s, err) => say(`still waiting (${s}s)${err ? `: ${err.message}` : ''}`),
      what: `${engine.name} on port ${engine.port}`,
    });
    say(`ready after ${secs(t0)} (pid ${pid})`);
  } catch (err) {
    throw withLogTail(engine, err);
  }
}

/**
 * Brings every engine up (idempotent: a usable engine is left alone) and resolves to the
 * connection settings once each one is really usable. Rejects with each failing engine's
 * error and log tail; engines that did come up stay up.
 */
export function up({ log = () => {} } = {}) {
  return withLock(async () => {
    mkdirp(LOG_DIR);
    const states = await Promise.all(engines.map(async (e) => ({ e, ok: await usable(e) })));
    for (const { e, ok } of states) {
      if (ok) {
        const pid = await adoptPid(e.name, e.port);
        log(`[${e.name}] already usable on port ${e.port} (${pid ? `pid ${pid}, started by us` : 'not started by us'})`);
      }
    }
    const todo = states.filter((s) => !s.ok).map((s) => s.e);
    if (todo.length === 0) return { ...settings };

    // All installs in one apt-get call, before anything starts.
    const pkgs = [...new Set(todo.flatMap((e) => e.packages()))];
    if (pkgs.length) {
      const busy = new Map(await Promise.all(todo.map(async (e) => [e.name, await portOpen(e.port)])));
      await aptInstall(pkgs, log);
      for (const e of todo) {
        const svc = SYSTEM_SERVICE[e.name];
        if (svc && !busy.get(e.name) && !ourPid(e.name) && (await portOpen(e.port))) {
          log(`[${e.name}] the package install started a system ${svc} on port ${e.port}; stopping it`);
          await run('service', [svc, 'stop'], { allowFail: true });
        }
      }
    }
    const user = await ensureUser();
    if (!DATA_DIR.startsWith(STACK_DIR + path.sep)) log(`engine data in ${DATA_DIR}: ${STACK_USER} cannot reach this checkout`);
    assertTraversable(DATA_DIR);
    await ownDir(HOME_DIR, user, { recursive: false });

    const results = await Promise.allSettled(todo.map((e) => upEngine(e, { log, user })));
    const failed = results.filter((r) => r.status === 'rejected').map((r) => r.reason);
    if (failed.length) {
      const err = new Error(`stack up failed for ${failed.map((f) => f.engine ?? '?').join(', ')}:\n\n${failed.map((f) => f.message).join('\n\n')}`);
      err.failures = failed;
      throw err;
    }
    return { ...settings };
  });
}

/** Stops what `up` started (by pid file), gracefully. Engines we didn't start are left alone. */
export function down({ log = () => {} } = {}) {
  return withLock(async () => {
    const out = await Promise.all(
      engines.map(async (e) => {
        const say = (m) => log(`[${e.name}] ${m}`);
        const pid = await adoptPid(e.name, e.port);
        if (!pid) {
          removePid(e.name);
          const foreign = await portOpen(e.port);
          say(foreign ? `not started by us; left running on port ${e.port}` : 'not running');
          return { name: e.name, stopped: false, wasRunning: foreign };
        }
        const t0 = Date.now();
        say(`stopping pid ${pid}`);
        const ok = await e.stop(pid, { log: say });
        if (ok) removePid(e.name);
        say(ok ? `stopped after ${secs(t0)}` : `could not stop pid ${pid}`);
        return { name: e.name, stopped: ok, pid };
      }),
    );
    const stuck = out.filter((r) => r.pid && !r.stopped);
    if (stuck.length) throw new Error(`could not stop: ${stuck.map((r) => `${r.name} (pid ${r.pid})`).join(', ')}`);
    return out;
  });
}

/**
 * One entry per engine: { name, port, running, usable, pid, startedByUs, rssKiB, version,
 * url, logFile, error }. running = something listens on the port or our pid is alive.
 */
export async function status() {
  return Promise.all(
    engines.map(async (e) => {
      const ours = await adoptPid(e.name, e.port);
      const listening = await portOpen(e.port);
      let ok = false;
      let error = null;
      try {
        ok = Boolean(await e.probe());
      } catch (err) {
        error = err.message;
      }
      const pid = ours ?? (listening ? await listenerPid(e.port) : null);
      return {
        name: e.name,
        port: e.port,
        running: Boolean(ours) || listening,
        usable: ok,
        pid,
        startedByUs: Boolean(ours),
        rssKiB: pid ? rssKiB(pid) : null,
        version: e.version,
        url: e.envValue,
        logFile: e.logFile,
        error: ok ? null : error,
      };
    }),
  );
}

export { kafka, elasticsearch, postgres, redis };
