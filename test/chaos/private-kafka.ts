import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { kafkaEngine } from '../../stack/kafka.mjs';
import { DATA_DIR as DATA } from '../../stack/util.mjs';
import { freePorts } from '../free-ports.ts';
import { eventually } from '../roles.ts';

/**
 * A single-node Kafka of the chaos run's own (free ports picked at start, a data directory of
 * its own), so stopping or killing it under load disturbs no other test, developer or chaos run.
 */
export interface PrivateKafka {
  brokers: string;
  start(): Promise<void>;
  /** Controlled shutdown (SIGTERM), resolved once the process is gone. */
  stop(): Promise<void>;
  /** SIGKILL, as a crashed broker: no controlled shutdown, no flushed logs. */
  kill(): Promise<void>;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
}

const PREFIX = 'kafka-chaos-';

interface Owner {
  /** The chaos run's process. */
  owner: number;
  kafka: number;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Runs that died without cleaning up left their Kafka running: ends each whose owning run is
 * gone, and only those (another run's Kafka, its owner alive, is left alone). The pid must
 * still be that Kafka (its command line names the directory), not a process that reused it.
 */
function killOrphans(): void {
  if (!fs.existsSync(DATA)) return;
  for (const file of fs.readdirSync(DATA).filter((name) => name.startsWith(PREFIX) && name.endsWith('.owner'))) {
    const dir = path.join(DATA, file.slice(0, -'.owner'.length));
    let owner: Owner;
    try {
      owner = JSON.parse(fs.readFileSync(path.join(DATA, file), 'utf8')) as Owner;
    } catch {
      continue;
    }
    if (alive(owner.owner)) continue;
    try {
      if (fs.readFileSync(`/proc/${owner.kafka}/cmdline`, 'utf8').includes(dir)) process.kill(owner.kafka, 'SIGKILL');
    } catch {
      // already gone
    }
    fs.rmSync(path.join(DATA, file), { force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function privateKafka(log: (line: string) => void = () => {}): Promise<PrivateKafka> {
  killOrphans();
  const [port, controllerPort] = await freePorts(2);
  const name = `${PREFIX}${randomBytes(3).toString('hex')}`;
  const dir = path.join(DATA, name);
  const ownerFile = `${dir}.owner`;
  const engine = kafkaEngine({ name, port: port!, controllerPort: controllerPort!, dir });
  let pid: number | undefined;
  const gone = async (signal: 'SIGTERM' | 'SIGKILL') => {
    if (pid === undefined) return;
    if (signal === 'SIGKILL') {
      process.kill(pid, 'SIGKILL');
      await eventually(async () => (alive(pid!) ? undefined : true), 30_000, 100);
    } else if (!(await engine.stop(pid, { log }))) throw new Error(`Kafka pid ${pid} did not stop`);
    pid = undefined;
  };
  return {
    brokers: engine.envValue,
    async start() {
      pid = await engine.start({ log, user: null });
      fs.writeFileSync(ownerFile, JSON.stringify({ owner: process.pid, kafka: pid } satisfies Owner));
      await eventually(() => engine.probe().then((ok) => (ok ? true : undefined)), 120_000, 500);
    },
    stop: () => gone('SIGTERM'),
    kill: () => gone('SIGKILL'),
    async destroy() {
      await gone('SIGTERM');
      fs.rmSync(ownerFile, { force: true });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
