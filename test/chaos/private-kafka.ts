import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { kafkaEngine } from '../../stack/kafka.mjs';
import { eventually } from '../roles.ts';

/**
 * A single-node Kafka of the chaos run's own (ports 19092/19093, its own data directory), so
 * stopping it under load disturbs no other test or developer using the stack's Kafka.
 */
export interface PrivateKafka {
  brokers: string;
  start(): Promise<void>;
  /** Controlled shutdown (SIGTERM), resolved once the process is gone. */
  stop(): Promise<void>;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
}

const DIR = fileURLToPath(new URL('../../stack/data/kafka-chaos', import.meta.url));
const PID_FILE = `${DIR}.pid`;

/** A run that died without cleaning up left its Kafka running: end it and start afresh. */
function killLeftover(): void {
  if (!fs.existsSync(PID_FILE)) return;
  try {
    process.kill(Number(fs.readFileSync(PID_FILE, 'utf8')), 'SIGKILL');
  } catch {
    // already gone
  }
  fs.rmSync(PID_FILE, { force: true });
  fs.rmSync(DIR, { recursive: true, force: true });
}

export function privateKafka(log: (line: string) => void = () => {}): PrivateKafka {
  const engine = kafkaEngine({ name: 'kafka-chaos', port: 19092, controllerPort: 19093, dir: DIR });
  let pid: number | undefined;
  const stop = async () => {
    if (pid !== undefined && !(await engine.stop(pid, { log }))) throw new Error(`Kafka pid ${pid} did not stop`);
    pid = undefined;
    fs.rmSync(PID_FILE, { force: true });
  };
  return {
    brokers: engine.envValue,
    async start() {
      if (pid === undefined) killLeftover();
      pid = await engine.start({ log, user: null });
      fs.writeFileSync(PID_FILE, String(pid));
      await eventually(() => engine.probe().then((ok) => (ok ? true : undefined)), 120_000, 500);
    },
    stop,
    async destroy() {
      await stop();
      fs.rmSync(DIR, { recursive: true, force: true });
    },
  };
}
