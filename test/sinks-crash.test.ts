import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esCounts, isolatedPipeline, logRecord, pgCounts, sinkEnv, type IsolatedPipeline } from './sink-fixtures.ts';
import { eventually, startRole, type RunningRole } from './roles.ts';
import { setTimeout as sleep } from 'node:timers/promises';

const LOGS = 20_000;

function killed(role: RunningRole): Promise<void> {
  return new Promise((resolve) => {
    role.process.once('exit', () => resolve());
    role.process.kill('SIGKILL');
  });
}

describe('sinks: SIGKILL mid-stream, then restart', () => {
  let pipeline: IsolatedPipeline;
  const running: RunningRole[] = [];

  beforeAll(async () => {
    pipeline = await isolatedPipeline('crash');
  });

  afterAll(async () => {
    await Promise.all(running.map((role) => role.stop()));
    await pipeline?.close();
  });

  it('still stores exactly 20,000 logs in each store', async () => {
    const resourceId = `crash-${pipeline.runId}`;
    const start = async (role: string) => {
      const started = await startRole(role, sinkEnv(pipeline, 0));
      running.push(started);
      return started;
    };
    const [esSink, pgSink] = await Promise.all([start('es-sink'), start('pg-sink')]);

    // Produced at a pace the sinks keep up with, so each is killed with logs before and after it.
    const producing = (async () => {
      for (let i = 0; i < LOGS; i += 500) {
        await pipeline.produce(Array.from({ length: 500 }, (_, j) => logRecord({ resourceId, message: `request ${i + j} served` })));
        await sleep(100);
      }
    })();

    const killWhenPartlyStored = async (role: RunningRole, stored: () => Promise<number>) => {
      const atKill = await eventually(
        async () => {
          const n = await stored();
          return n >= 3_000 ? n : undefined;
        },
        60_000,
        100,
      );
      await killed(role);
      return atKill;
    };
    const [pgAtKill, esAtKill] = await Promise.all([
      killWhenPartlyStored(pgSink, async () => (await pgCounts(pipeline.pool, resourceId)).rows),
      killWhenPartlyStored(esSink, async () => (await esCounts(pipeline, resourceId)).docs),
    ]);
    expect(pgAtKill).toBeLessThan(LOGS);
    expect(esAtKill).toBeLessThan(LOGS);

    await Promise.all([start('es-sink'), start('pg-sink')]);
    await producing;
    await eventually(async () => ((await pgCounts(pipeline.pool, resourceId)).rows >= LOGS ? true : undefined), 90_000, 1_000);
    await eventually(async () => ((await esCounts(pipeline, resourceId)).docs >= LOGS ? true : undefined), 90_000, 1_000);
    expect(await pgCounts(pipeline.pool, resourceId)).toEqual({ rows: LOGS, ids: LOGS });
    expect(await esCounts(pipeline, resourceId)).toEqual({ docs: LOGS, ids: LOGS });
  }, 240_000);
});
