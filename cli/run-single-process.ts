import { type Config, createLogger, type Logger } from '@logflow/core';
import { ROLES, type Stop } from './roles.ts';

interface Started {
  stop: Stop;
  logger: Logger;
}

/** Stops the roles in start order: the ingester takes nothing new while the sinks finish what Kafka holds. */
async function stopAll(started: Started[]): Promise<number> {
  let code = 0;
  for (const { stop, logger } of started) {
    try {
      await stop();
    } catch (err) {
      logger.error({ err }, 'unclean stop');
      code = 1;
    }
  }
  return code;
}

/**
 * `logflow all --single-process`: every role in this one process, for a small machine. One
 * Node heap and event loop instead of five: less memory and idle CPU, at the price of the
 * roles sharing one core's worth of JavaScript. A role that fails to start stops the others:
 * a half-running pipeline is worse than none. Resolves with the exit code once stopped.
 */
export async function runSingleProcess(config: Config, roles: string[]): Promise<number> {
  const started: Started[] = [];
  try {
    for (const name of roles) {
      const logger = createLogger(config, name);
      started.push({ stop: await ROLES[name]!.start(config, logger), logger });
      logger.info('started');
    }
  } catch (err) {
    createLogger(config, 'all').error({ err }, 'a role did not start; stopping the others');
    await stopAll(started);
    return 1;
  }
  return new Promise((resolve) => {
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      createLogger(config, 'all').info({ signal }, 'stopping every role');
      void stopAll(started).then(resolve);
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  });
}
