import { isJobName } from '@logflow/common';
import {
  ApiKeyStore,
  type Config,
  ConfigError,
  createLogger,
  createPool,
  loadConfig,
  lockReaderWithFormerDefault,
  resolveLogFormat,
  runMigrations,
  setReaderPassword,
  tellHowToGetAnAdminKey,
} from '@logflow/core';
import { DLQ_HELP, runDlqCommand } from './dlq.ts';
import { KEYS_HELP, runKeysCommand } from './keys.ts';
import { ADMIN_JOB_HELP, runAdminJobCommand } from './admin-jobs.ts';
import { ROLES } from './roles.ts';
import { RESTART_POLICY, runAll } from './run-all.ts';
import { runSingleProcess } from './run-single-process.ts';

const HELP = `Usage: logflow <command>

Roles (each runs until SIGINT/SIGTERM, then shuts down gracefully):
${Object.entries(ROLES)
  .map(([name, role]) => `  ${name.padEnd(11)} ${role.describe}`)
  .join('\n')}
  all         every role above, each as its own process
              (--single-process: all of them in one process, for a small machine)

Admin jobs:
${ADMIN_JOB_HELP}

Other commands:
  migrate     apply the database migrations (and give logflow_reader its LOGFLOW_READER_PASSWORD, when set)
  dlq         list, show and replay dead letters (logflow dlq help)
  keys        create, list and revoke API keys (logflow keys help)
  help        this text

Settings come from the environment (KAFKA_BROKERS, ELASTICSEARCH_URL, DATABASE_URL, REDIS_URL, ...);
see the configuration table in docs/operations.md.`;

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

async function runRole(name: string): Promise<void> {
  const config = configOrExit();
  const logger = createLogger(config, name);
  const stop = await ROLES[name]!.start(config, logger);
  logger.info('started');
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

async function migrate(): Promise<void> {
  const config = configOrExit();
  const logger = createLogger(config, 'migrate');
  const pool = createPool(config, logger, { name: 'logflow-migrate', max: 1 });
  try {
    await runMigrations(pool, config.postgres.schema);
    const { readerPassword } = config.postgres;
    if (readerPassword !== undefined) {
      await setReaderPassword(pool, readerPassword);
      logger.info('migrations applied; the SQL role logflow_reader logs in with LOGFLOW_READER_PASSWORD');
    } else if (await lockReaderWithFormerDefault(pool, config.postgres.url)) {
      logger.warn('migrations applied; the SQL role logflow_reader still had its former default password and is locked now (NOLOGIN): set LOGFLOW_READER_PASSWORD and migrate again to open it');
    } else {
      logger.info('migrations applied; LOGFLOW_READER_PASSWORD is not set, so the SQL role logflow_reader keeps its login as it was (locked on a new install)');
    }
    if (config.auth.enabled) await tellHowToGetAnAdminKey(new ApiKeyStore(pool, { cacheMs: 0 }), logger);
  } finally {
    await pool.end();
  }
}

const command = process.argv[2] ?? 'help';
if (command in ROLES) {
  await runRole(command);
} else if (command === 'all' && process.argv.includes('--single-process')) {
  // Timers and connections a role failed to close must not keep a stopped process alive.
  process.exit(await runSingleProcess(configOrExit(), Object.keys(ROLES)));
} else if (command === 'all') {
  const config = configOrExit();
  // The roles write into pipes the launcher reads, so they learn from it whether a person is watching.
  const env = { ...process.env, LOG_FORMAT: resolveLogFormat(config.logFormat) };
  process.exitCode = await runAll(Object.keys(ROLES), createLogger(config, 'launcher'), RESTART_POLICY, env);
} else if (command === 'migrate') {
  await migrate();
} else if (command === 'dlq') {
  if (['help', '--help', undefined].includes(process.argv[3])) {
    process.stdout.write(`${DLQ_HELP}\n`);
  } else {
    const config = configOrExit();
    process.exitCode = await runDlqCommand(config, createLogger(config, 'dlq'), process.argv.slice(3));
  }
} else if (command === 'keys') {
  if (['help', '--help', undefined].includes(process.argv[3])) {
    process.stdout.write(`${KEYS_HELP}\n`);
  } else {
    process.exitCode = await runKeysCommand(configOrExit(), process.argv.slice(3));
  }
} else if (isJobName(command)) {
  process.exitCode = await runAdminJobCommand(configOrExit(), command, process.argv.slice(3));
} else {
  process.stdout.write(`${HELP}\n`);
  if (command !== 'help' && command !== '--help') process.exitCode = 2;
}
