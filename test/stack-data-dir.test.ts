import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chooseDataDir, isRoot, SHARED_DATA_ROOT } from '../stack/util.mjs';
import { freePorts } from './free-ports.ts';

const STACK = fileURLToPath(new URL('../stack', import.meta.url));
const run = promisify(execFile);

// What `npm run stack -- up` does for one engine, from a copy of stack/ in another checkout:
// choose the data directory, check the engine user can reach it, start Kafka as that user, wait
// until it answers, stop it. Prints the data directory on its first line.
const startKafkaFromCheckout = `
const { setTimeout: sleep } = await import('node:timers/promises');
const stackDir = process.argv[1];
const [port, controllerPort] = process.argv.slice(2).map(Number);
const util = await import(stackDir + '/util.mjs');
const { kafkaEngine } = await import(stackDir + '/kafka.mjs');
console.log(util.DATA_DIR);
util.ensureDataDir();
const user = await util.ensureUser();
util.assertTraversable(util.DATA_DIR);
const engine = kafkaEngine({ name: 'kafka-datadir', port, controllerPort, dir: util.DATA_DIR + '/kafka-datadir' });
const pid = await engine.start({ log: () => {}, user });
const answers = () => engine.probe().catch(() => false);
const deadline = Date.now() + 120_000;
while (!(await answers()) && Date.now() < deadline) await sleep(500);
const answered = await answers();
await engine.stop(pid, {});
console.log(answered ? 'answered' : 'no answer');
`;

describe('the engines of a checkout other users cannot enter', () => {
  it('keeps the data under stack/data when the engine user can reach it, elsewhere when not, and an explicit choice wins', () => {
    const open = fs.mkdtempSync(path.join(os.tmpdir(), 'logflow-open-'));
    fs.chmodSync(open, 0o755);
    const closed = fs.mkdtempSync(path.join(os.tmpdir(), 'logflow-closed-'));
    try {
      const openStack = path.join(open, 'stack');
      const closedStack = path.join(closed, 'stack');
      expect(chooseDataDir({ stackDir: openStack, env: {}, root: true })).toBe(path.join(openStack, 'data'));
      const elsewhere = chooseDataDir({ stackDir: closedStack, env: {}, root: true });
      expect(path.dirname(elsewhere)).toBe(SHARED_DATA_ROOT);
      expect(chooseDataDir({ stackDir: path.join(closed, 'other', 'stack'), env: {}, root: true })).not.toBe(elsewhere);
      // Not root: the engines run as the user, who reaches their own checkout.
      expect(chooseDataDir({ stackDir: closedStack, env: {}, root: false })).toBe(path.join(closedStack, 'data'));
      expect(chooseDataDir({ stackDir: closedStack, env: { LOGFLOW_STACK_DATA: '/srv/logflow' }, root: true })).toBe('/srv/logflow');
    } finally {
      fs.rmSync(open, { recursive: true, force: true });
      fs.rmSync(closed, { recursive: true, force: true });
    }
  });

  it.skipIf(!isRoot())(
    'runs Kafka as the engine user from a checkout in a mode-700 directory, without changing its permissions',
    async () => {
      const closed = fs.mkdtempSync(path.join(os.tmpdir(), 'logflow-closed-'));
      expect(fs.statSync(closed).mode & 0o777).toBe(0o700);
      const stackCopy = path.join(closed, 'checkout', 'stack');
      fs.mkdirSync(stackCopy, { recursive: true });
      for (const file of fs.readdirSync(STACK).filter((f) => f.endsWith('.mjs'))) fs.copyFileSync(path.join(STACK, file), path.join(stackCopy, file));
      const dataDir = chooseDataDir({ stackDir: stackCopy, env: {}, root: true });
      try {
        const ports = await freePorts(2);
        const { stdout } = await run(process.execPath, ['--input-type=module', '-e', startKafkaFromCheckout, stackCopy, ...ports.map(String)], {
          timeout: 180_000,
        });
        const lines = stdout.trim().split('\n');
        expect(lines[0]).toBe(dataDir);
        expect(path.dirname(dataDir)).toBe(SHARED_DATA_ROOT);
        expect(lines.at(-1)).toBe('answered');
        expect(fs.statSync(closed).mode & 0o777).toBe(0o700);
      } finally {
        fs.rmSync(closed, { recursive: true, force: true });
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
    200_000,
  );
});
