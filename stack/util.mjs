// Shared helpers for the stack launcher. Node builtins only: this runs before `npm ci`.
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const STACK_DIR = path.dirname(fileURLToPath(import.meta.url));
export const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;
// Engines that refuse root (Elasticsearch, Postgres) run as this user; the others too, for
// one simple ownership rule under the data directory.
export const STACK_USER = 'logflow-stack';
// Where data goes when the checkout is out of the engine user's reach (see chooseDataDir).
export const SHARED_DATA_ROOT = '/var/lib/logflow-stack';

/** Whether every directory above dir lets other users pass (the x bit for "others"). */
export function othersCanReach(dir) {
  for (let d = path.dirname(path.resolve(dir)); ; d = path.dirname(d)) {
    if (fs.existsSync(d) && !(fs.statSync(d).mode & 0o001)) return false;
    if (d === path.dirname(d)) return true;
  }
}

/**
 * The engines' data directory. stack/data in the checkout, unless root runs the stack and the
 * engine user cannot reach the checkout (a root home is mode 700, and so is `mktemp -d`): then a
 * directory of this checkout's own under /var/lib/logflow-stack, so nobody has to open up their
 * home. LOGFLOW_STACK_DATA chooses one explicitly.
 */
export function chooseDataDir({ stackDir = STACK_DIR, env = process.env, root = isRoot() } = {}) {
  if (env.LOGFLOW_STACK_DATA) return path.resolve(env.LOGFLOW_STACK_DATA);
  const inCheckout = path.join(stackDir, 'data');
  if (!root || othersCanReach(inCheckout)) return inCheckout;
  const checkout = crypto.createHash('sha1').update(path.resolve(stackDir)).digest('hex').slice(0, 12);
  return path.join(SHARED_DATA_ROOT, checkout);
}

export const DATA_DIR = chooseDataDir();

/** Creates the data directory, passable by the engine user whatever root's umask is. */
export function ensureDataDir() {
  mkdirp(DATA_DIR);
  if (!isRoot()) return;
  if (path.dirname(DATA_DIR) === SHARED_DATA_ROOT) fs.chmodSync(SHARED_DATA_ROOT, 0o755);
  fs.chmodSync(DATA_DIR, 0o755);
}
export const LOG_DIR = path.join(DATA_DIR, 'logs');
// Home for the engines' user: JVMs and psql like a writable $HOME.
export const HOME_DIR = path.join(DATA_DIR, 'home');
export const HOST = '127.0.0.1';

export { sleep };

export function mkdirp(dir) {
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Runs a command to completion, capturing output. Rejects on a non-zero exit unless allowFail. */
export function run(cmd, args = [], opts = {}) {
  const { env, cwd, user, input, allowFail = false, timeoutMs } = opts;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      env: env ?? process.env,
      stdio: [input == null ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
    });
    if (input != null) {
      child.stdin.on('error', () => {}); // a command that exits without reading its input
      child.stdin.end(input);
    }
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = timeoutMs ? setTimeout(() => child.kill('SIGKILL'), timeoutMs) : null;
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      if (allowFail) resolve({ code: -1, stdout, stderr: stderr + String(err) });
      else reject(new Error(`${cmd}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const res = { code: code ?? -1, signal, stdout, stderr };
      if (code === 0 || allowFail) return resolve(res);
      const out = (stderr || stdout).trim().split('\n').slice(-25).join('\n');
      reject(new Error(`${cmd} ${args.join(' ')} exited with ${code ?? signal}\n${out}`));
    });
  });
}

/**
 * Starts a long-running process in its own session so it outlives `up`; its output is appended
 * to logFile. Resolves to the ChildProcess (pid set) once spawned.
 */
export function spawnDetached(cmd, args, { logFile, env, cwd, user }) {
  mkdirp(path.dirname(logFile));
  const fd = fs.openSync(logFile, 'a');
  fs.writeSync(fd, `\n--- ${new Date().toISOString()} logflow stack: ${cmd} ${args.join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      env,
      detached: true,
      stdio: ['ignore', fd, fd],
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
    });
    child.once('error', (err) => {
      fs.closeSync(fd);
      reject(new Error(`cannot start ${cmd}: ${err.message}`));
    });
    child.once('spawn', () => {
      fs.closeSync(fd);
      child.unref();
      resolve(child);
    });
  });
}

/** Minimal environment for engines, so the caller's JAVA_TOOL_OPTIONS, NODE_OPTIONS etc. don't leak in. */
export function engineEnv(extra = {}) {
  return {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: HOME_DIR,
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    TZ: 'UTC',
    ...extra,
  };
}

// ---------------------------------------------------------------- processes and pid files

export const pidFile = (name) => path.join(DATA_DIR, `${name}.pid`);

export function readPid(name) {
  try {
    const pid = Number.parseInt(fs.readFileSync(pidFile(name), 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export function writePid(name, pid) {
  fs.writeFileSync(pidFile(name), `${pid}\n`);
}

export function removePid(name) {
  fs.rmSync(pidFile(name), { force: true });
}

export function isAlive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return err.code === 'EPERM';
  }
  // A zombie still answers signal 0 but is gone for our purposes.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}

/**
 * The pid from <name>.pid if that process is alive and is really ours: every engine runs with
 * its working directory under the data directory, which guards against a recycled pid.
 */
export function ourPid(name) {
  const pid = readPid(name);
  if (!pid || !isAlive(pid)) return null;
  try {
    const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
    if (cwd === DATA_DIR || cwd.startsWith(DATA_DIR + path.sep)) return pid;
  } catch {
    // /proc not readable: trust the pid file.
    return pid;
  }
  return null;
}

/** pid of whatever listens on 127.0.0.1:port (ours or not), via ss; null if unknown. */
export async function listenerPid(port) {
  const r = await run('ss', ['-ltnpH', `sport = :${port}`], { allowFail: true });
  const m = /pid=(\d+)/.exec(r.stdout);
  return m ? Number(m[1]) : null;
}

/**
 * ourPid(name), or else the process listening on port if it runs from the data directory (so this
 * checkout started it, e.g. an `up` killed before it wrote the pid file): recorded and returned.
 */
export async function adoptPid(name, port) {
  const known = ourPid(name);
  if (known) return known;
  const pid = await listenerPid(port);
  if (!pid) return null;
  try {
    const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
    if (cwd !== DATA_DIR && !cwd.startsWith(DATA_DIR + path.sep)) return null;
  } catch {
    return null;
  }
  writePid(name, pid);
  return pid;
}

/** SIGTERM (or the given signal), wait, then SIGKILL. Resolves true if the process is gone. */
export async function stopPid(pid, { signal = 'SIGTERM', graceMs = 30_000, log } = {}) {
  if (!isAlive(pid)) return true;
  try {
    process.kill(pid, signal);
  } catch {
    return !isAlive(pid);
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(200);
  }
  log?.(`pid ${pid} still alive after ${graceMs / 1000}s, sending SIGKILL`);
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // It exited between the check and the kill.
  }
  for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
  return !isAlive(pid);
}

export function rssKiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- network probes

/** True if something accepts TCP connections on host:port. */
export function portOpen(port, host = HOST, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host });
    const done = (ok) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** GET returning { status, body } (body parsed as JSON when possible). */
export function httpGet(url, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (data += d));
      res.on('end', () => {
        let body = data;
        try {
          body = JSON.parse(data);
        } catch {
          // Not JSON: the caller gets the text.
        }
        resolve({ status: res.statusCode, body });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/**
 * Polls probe() until it returns a truthy value. probe may throw; the last error is kept for the
 * timeout message. isDead() lets a wait stop early when the process it waits for has exited.
 */
export async function waitFor(probe, { timeoutMs, intervalMs = 500, isDead, onWait, what }) {
  const start = Date.now();
  let lastErr = null;
  let lastNote = start;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    if (isDead?.()) {
      throw new Error(`${what}: process exited before it became ready${lastErr ? ` (last probe: ${lastErr.message})` : ''}`);
    }
    const now = Date.now();
    if (now - start > timeoutMs) {
      throw new Error(`${what}: not ready after ${Math.round(timeoutMs / 1000)}s${lastErr ? ` (last probe: ${lastErr.message})` : ''}`);
    }
    if (onWait && now - lastNote >= 10_000) {
      lastNote = now;
      onWait(Math.round((now - start) / 1000), lastErr);
    }
    await sleep(intervalMs);
  }
}

export function tail(file, lines = 40) {
  try {
    const fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    const len = Math.min(size, 64 * 1024);
    const buf = Buffer.alloc(len);
    fs.readSync(fd, buf, 0, len, size - len);
    fs.closeSync(fd);
    return buf
      .toString('utf8')
      .split('\n')
      .slice(-lines - 1)
      .join('\n');
  } catch {
    return `(no log at ${file})`;
  }
}

// ---------------------------------------------------------------- system setup (root)

let userCache = null;

/** The unprivileged user the engines run as ({uid,gid}); created on first use. Null when not root. */
export async function ensureUser() {
  if (!isRoot()) return null; // already unprivileged: run engines as ourselves
  if (userCache) return userCache;
  const lookup = async () => {
    const r = await run('getent', ['passwd', STACK_USER], { allowFail: true });
    if (r.code !== 0) return null;
    const [, , uid, gid] = r.stdout.trim().split(':');
    return { uid: Number(uid), gid: Number(gid), name: STACK_USER };
  };
  let u = await lookup();
  if (!u) {
    // --system: no aging, no mail spool; home is given per process via $HOME.
    await run('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', STACK_USER], {
      allowFail: true,
    });
    u = await lookup();
    if (!u) throw new Error(`could not create system user ${STACK_USER}`);
  }
  userCache = u;
  return u;
}

/** Makes dir (recursively) owned by the engine user. */
export async function ownDir(dir, user, { recursive = true } = {}) {
  mkdirp(dir);
  if (!user) return;
  if (recursive) await run('chown', ['-R', `${user.uid}:${user.gid}`, dir]);
  else fs.chownSync(dir, user.uid, user.gid);
}

/**
 * Checks that the engine user can reach dir: each parent of stack/data needs the x bit for
 * "others", otherwise Postgres/ES fail with a confusing permission error much later.
 */
export function assertTraversable(dir) {
  if (!isRoot()) return;
  let d = path.resolve(dir);
  while (d !== path.dirname(d)) {
    d = path.dirname(d);
    const mode = fs.statSync(d).mode;
    if (!(mode & 0o001)) {
      throw new Error(`${d} is not searchable by other users (mode ${(mode & 0o777).toString(8)}); the engines run as ${STACK_USER} and need to reach ${dir}. Try: chmod o+x ${d}`);
    }
  }
}

export function which(cmd) {
  for (const dir of (process.env.PATH || '/usr/bin:/bin').split(':').concat(['/usr/sbin', '/sbin'])) {
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // Not here (or not executable): try the next place.
    }
  }
  return null;
}

/**
 * Installs Debian packages in one apt-get call. A policy-rc.d that answers 101 keeps the
 * packages' own services (a system redis/postgres on our ports) from being started.
 */
export async function aptInstall(pkgs, log) {
  if (pkgs.length === 0) return;
  if (!isRoot()) throw new Error(`missing packages: ${pkgs.join(' ')}; install them (apt-get install -y ${pkgs.join(' ')}) or run as root`);
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = !fs.existsSync(policy);
  if (ownPolicy) fs.writeFileSync(policy, '#!/bin/sh\n# written by logflow stack during apt-get install\nexit 101\n', { mode: 0o755 });
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', NEEDRESTART_MODE: 'a' };
  try {
    log?.(`apt-get update && apt-get install -y ${pkgs.join(' ')}`);
    await run('apt-get', ['update', '-q'], { env });
    await run('apt-get', ['install', '-y', '-q', '--no-install-recommends', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold', ...pkgs], { env });
  } finally {
    if (ownPolicy) fs.rmSync(policy, { force: true });
  }
}

// ---------------------------------------------------------------- Java and Maven

const JVM_DIR = '/usr/lib/jvm';

function javaMajor(home) {
  try {
    const rel = fs.readFileSync(path.join(home, 'release'), 'utf8');
    const m = /JAVA_VERSION="(\d+)(?:\.(\d+))?/.exec(rel);
    if (!m) return null;
    return m[1] === '1' ? Number(m[2]) : Number(m[1]);
  } catch {
    return null;
  }
}

/**
 * A JDK home with major version in [min, max]: the preferred majors first (in order), then the
 * newest that fits. Looks in /usr/lib/jvm, where Debian's and Temurin's packages put them.
 */
export function findJava({ min, max = Infinity, prefer = [] }) {
  let homes = [];
  try {
    homes = fs.readdirSync(JVM_DIR).map((d) => path.join(JVM_DIR, d));
  } catch {
    // No such directory: no packaged JVMs there.
  }
  const found = new Map();
  for (const h of homes) {
    let real;
    try {
      real = fs.realpathSync(h);
    } catch {
      continue;
    }
    if (found.has(real) || !fs.existsSync(path.join(real, 'bin', 'java'))) continue;
    const major = javaMajor(real);
    if (major && major >= min && major <= max) found.set(real, major);
  }
  const list = [...found.entries()];
  for (const p of prefer) {
    const hit = list.find(([, m]) => m === p);
    if (hit) return { home: hit[0], major: hit[1] };
  }
  list.sort((a, b) => b[1] - a[1]);
  return list.length ? { home: list[0][0], major: list[0][1] } : null;
}

export const M2_REPO = path.join(os.homedir(), '.m2', 'repository');

// Maven's local repository is not safe for concurrent writers (Maven 3.8 has no locking), so
// every mvn call goes through this one queue.
let mvnQueue = Promise.resolve();

/**
 * Runs mvn with the given args, offline first (all artifacts already in ~/.m2: no network),
 * online only if that fails. Serialized with every other mvn call of this process.
 */
export function mvn(args, { cwd, log, what } = {}) {
  const job = mvnQueue.then(async () => {
    const base = ['-B', '-q', '-Dmaven.repo.local=' + M2_REPO];
    const off = await run('mvn', ['-o', ...base, ...args], { cwd, allowFail: true });
    if (off.code === 0) return off;
    log?.(`downloading ${what ?? 'artifacts'} from Maven Central into ~/.m2`);
    return run('mvn', [...base, ...args], { cwd });
  });
  mvnQueue = job.catch(() => {});
  return job;
}

// In-process queue: concurrent up()/down() calls inside one process run one after another.
let lockChain = Promise.resolve();

/**
 * Coarse lock so two `up`/`down` calls (in this process, or e.g. parallel test workers in
 * others) don't race on the same files: an in-process queue plus an O_EXCL lock file.
 */
export function withLock(fn, opts) {
  const job = lockChain.then(() => withFileLock(fn, opts));
  lockChain = job.catch(() => {});
  return job;
}

async function withFileLock(fn, { timeoutMs = 15 * 60_000 } = {}) {
  ensureDataDir();
  const lock = path.join(DATA_DIR, '.lock');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      let holder = NaN;
      let ageMs = 0;
      try {
        holder = Number.parseInt(fs.readFileSync(lock, 'utf8'), 10);
        ageMs = Date.now() - fs.statSync(lock).mtimeMs;
      } catch {
        // Gone meanwhile: NaN holder and age 0 count as being written, and the loop tries again.
      }
      // Empty and fresh: its creator is between open and write. Otherwise a lock left by a
      // dead process (or by this one before a crash) is stale.
      const beingWritten = Number.isNaN(holder) && ageMs < 5000;
      if (!beingWritten && (!isAlive(holder) || holder === process.pid)) {
        fs.rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`stack lock ${lock} held by pid ${holder}`, { cause: err });
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}
