import { type Config, createKafka, createPool, getDeadLetter, listDeadLetters, type Logger, replayDeadLetters, type ReplayTarget, replayTimes } from '@logflow/core';
import { parseArgs } from 'node:util';

export const DLQ_HELP = `Usage: logflow dlq <list|show|replay> ...
  list [--limit N] [--sink elasticsearch|postgres] [--json]   newest dead letters first
  show <partition>:<offset>                                   one dead letter, with its record
  replay <partition>:<offset>                                 send one dead letter back through the pipeline
  replay --all [--sink elasticsearch|postgres]                 send every dead letter not replayed yet`;

class UsageError extends Error {}

function position(arg: string | undefined): { partition: number; offset: bigint } {
  const match = /^(\d+):(\d+)$/.exec(arg ?? '');
  if (!match) throw new UsageError(`expected <partition>:<offset>, got ${JSON.stringify(arg ?? '')}`);
  return { partition: Number(match[1]), offset: BigInt(match[2]!) };
}

function sinkOption(value: string | undefined): string | undefined {
  if (value !== undefined && value !== 'elasticsearch' && value !== 'postgres') {
    throw new UsageError(`--sink must be elasticsearch or postgres, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** `logflow dlq ...`: returns the process exit code. */
export async function runDlqCommand(config: Config, logger: Logger, args: string[]): Promise<number> {
  const kafka = createKafka(config, logger, 'logflow-dlq');
  const pool = createPool(config, logger, { name: 'logflow-dlq', max: 1 });
  const topic = config.kafka.dlqTopic;
  const out = (text: string) => process.stdout.write(`${text}\n`);
  try {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { limit: { type: 'string', default: '50' }, sink: { type: 'string' }, json: { type: 'boolean' }, all: { type: 'boolean' } },
    });
    const [sub, arg] = positionals;
    if (sub === 'list') {
      const limit = Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive integer');
      const sink = sinkOption(values.sink);
      const [letters, replayed] = await Promise.all([listDeadLetters(kafka, topic, limit), replayTimes(pool, topic)]);
      const rows = letters.filter((l) => sink === undefined || l.sink === sink).map((l) => ({ ...l, replayedAt: replayed.get(`${l.partition}/${l.offset}`) ?? null }));
      if (values.json) {
        out(JSON.stringify(rows, null, 2));
        return 0;
      }
      if (rows.length === 0) {
        out(`${topic} holds no dead letters`);
        return 0;
      }
      out(['POSITION', 'DEAD AT', 'SINK', 'SOURCE', 'LOG ID', 'REPLAYED', 'REASON'].join('\t'));
      for (const l of rows) {
        out([`${l.partition}:${l.offset}`, l.deadAt, l.sink, `${l.source.partition}:${l.source.offset}`, l.logId ?? '-', l.replayedAt ?? '-', l.reason.slice(0, 160)].join('\t'));
      }
      return 0;
    }
    if (sub === 'show') {
      const { partition, offset } = position(arg);
      const letter = await getDeadLetter(kafka, topic, partition, offset);
      if (!letter) {
        process.stderr.write(`no dead letter at ${partition}:${offset} of ${topic}\n`);
        return 1;
      }
      const replayedAt = (await replayTimes(pool, topic)).get(`${partition}/${offset}`) ?? null;
      let record: unknown = letter.value;
      try {
        record = JSON.parse(letter.value);
      } catch {
        // Shown as the text it is.
      }
      out(JSON.stringify({ ...letter, value: undefined, record, replayedAt }, null, 2));
      return 0;
    }
    if (sub === 'replay') {
      const target: ReplayTarget = values.all ? { all: true, sink: sinkOption(values.sink) } : position(arg);
      const result = await replayDeadLetters(kafka, pool, topic, target);
      if (result.notFound) {
        process.stderr.write(`no dead letter at ${arg} of ${topic}\n`);
        return 1;
      }
      out(`replayed ${result.replayed} dead letter(s) into the pipeline; skipped ${result.skipped}`);
      return 0;
    }
    throw new UsageError(sub ? `unknown dlq command ${JSON.stringify(sub)}` : 'missing dlq command');
  } catch (error) {
    if (!(error instanceof UsageError) && (error as { code?: string }).code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw error;
    process.stderr.write(`${(error as Error).message}\n${DLQ_HELP}\n`);
    return 2;
  } finally {
    await pool.end();
  }
}
