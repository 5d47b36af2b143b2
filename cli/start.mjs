// `npm start`: dependencies, engines, the builds (when a source changed), migrations, then every role.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { engineEnvironment, ensureBuild, ensureDependencies, ROOT, run } from './bootstrap.mjs';

ensureDependencies();
// Before anything runs, so that cli/logflow.mjs runs the compiled build (unless LOGFLOW_DEV=1).
ensureBuild();
// Local play: `npm start` runs without API keys unless told otherwise (LOGFLOW_AUTH=on npm start);
// keys off binds loopback only (core config) and every role warns about it at start.
const env = { LOGFLOW_AUTH: 'off', ...process.env, ...(await engineEnvironment()) };
// The SQL console's read-only login has no default password: without one configured, this run
// makes up its own (migrate gives it to logflow_reader, the query service logs in with it).
env.LOGFLOW_READER_PASSWORD ||= randomBytes(24).toString('base64url');
run(process.execPath, ['cli/logflow.mjs', 'migrate'], { env });

const ingesterPort = env.INGESTER_PORT ?? '3000';
const queryPort = env.QUERY_PORT ?? '5000';
// `npm start -- --single-process` runs every role in one process (see logflow all).
const all = spawn(process.execPath, ['cli/logflow.mjs', 'all', ...process.argv.slice(2)], { cwd: ROOT, env, stdio: 'inherit' });

async function answers(url) {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

const urls = { ingester: `http://127.0.0.1:${ingesterPort}`, query: `http://127.0.0.1:${queryPort}` };
const deadline = Date.now() + 120_000;
while (Date.now() < deadline && all.exitCode === null) {
  if ((await answers(urls.ingester)) && (await answers(urls.query))) {
    console.log(`
LogFlow is running.
  Ingest:    curl -XPOST ${urls.ingester}/logs -H 'content-type: application/json' -d @test/fixtures/example_log.json
  Dashboard: ${urls.query}
  Search:    curl '${urls.query}/api/logs/search?level=error'
${
  env.LOGFLOW_AUTH === 'off'
    ? '  API keys are OFF (LOGFLOW_AUTH=off): the APIs listen on this machine only (127.0.0.1), open to every local user. For real use: LOGFLOW_AUTH=on npm start.'
    : "  API keys are on: create one with `npm run logflow -- keys create --name me --role admin` and send it as 'Authorization: Bearer <key>'."
}
Ctrl-C stops LogFlow; \`npm run stack -- down\` stops the engines.
`);
    break;
  }
  await sleep(500);
}

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => all.kill('SIGTERM'));
all.on('exit', (code) => process.exit(code ?? 0));
