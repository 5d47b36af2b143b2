#!/usr/bin/env node
// node stack/cli.mjs up|down|status [--json]
//                     kafka <tool> [args]   e.g. kafka topics --bootstrap-server 127.0.0.1:9092 --list
// Progress goes to stderr; `up` prints the connection settings as KEY=value lines on stdout.
import { down, status, up } from './index.mjs';
import { KAFKA_TOOLS, kafkaTool } from './kafka.mjs';

const [cmd, ...rest] = process.argv.slice(2);
const json = rest.includes('--json');
const log = (m) => process.stderr.write(`[stack] ${m}\n`);

function table(rows) {
  const cols = ['engine', 'port', 'running', 'usable', 'pid', 'ours', 'rss', 'version'];
  const cells = rows.map((r) => [
    r.name,
    String(r.port),
    r.running ? 'yes' : 'no',
    r.usable ? 'yes' : 'no',
    r.pid ? String(r.pid) : '-',
    r.startedByUs ? 'yes' : 'no',
    r.rssKiB ? `${Math.round(r.rssKiB / 1024)} MiB` : '-',
    r.version ?? '-',
  ]);
  const width = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (row) =>
    row
      .map((v, i) => v.padEnd(width[i]))
      .join('  ')
      .trimEnd();
  const out = [line(cols), ...cells.map(line)];
  for (const r of rows) if (r.error && r.running) out.push(`${r.name}: ${r.error}`);
  return out.join('\n');
}

async function main() {
  const t0 = Date.now();
  switch (cmd) {
    case 'up': {
      const env = await up({ log });
      log(`all engines usable after ${((Date.now() - t0) / 1000).toFixed(1)}s`);
      process.stdout.write(
        json
          ? `${JSON.stringify(env, null, 2)}\n`
          : Object.entries(env)
              .map(([k, v]) => `${k}=${v}\n`)
              .join(''),
      );
      break;
    }
    case 'down':
      await down({ log });
      log(`down after ${((Date.now() - t0) / 1000).toFixed(1)}s`);
      break;
    case 'status': {
      const rows = await status();
      process.stdout.write(json ? `${JSON.stringify(rows, null, 2)}\n` : `${table(rows)}\n`);
      break;
    }
    case 'kafka':
      if (!rest.length) {
        process.stderr.write(`usage: node stack/cli.mjs kafka <tool> [args]; tools: ${Object.keys(KAFKA_TOOLS).join(', ')} or a class name\n`);
        process.exit(2);
      }
      process.exitCode = await kafkaTool(rest[0], rest.slice(1));
      break;
    default:
      process.stderr.write('usage: node stack/cli.mjs up|down|status [--json] | kafka <tool> [args]\n');
      process.exit(2);
  }
}

main().catch((err) => {
  process.stderr.write(`[stack] ${err.message}\n`);
  process.exit(1);
});
