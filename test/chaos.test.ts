import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChaosEnv } from './chaos/chaos-env.ts';
import { reportTable, runFaults, type FaultReport } from './chaos/chaos-run.ts';
import { FAULTS, QUICK } from './chaos/faults.ts';

/**
 * The reliability run's quick scale (`npm run chaos` is the full one): every fault of the
 * issue, each converging to exactly the acknowledged ids in both stores.
 */
describe('chaos: nothing acknowledged is lost or doubled under faults', () => {
  let env: ChaosEnv;
  const reports: FaultReport[] = [];

  beforeAll(async () => {
    env = await ChaosEnv.create((line) => console.log(`[chaos] ${line}`));
  }, 240_000);

  afterAll(async () => {
    if (reports.length) console.log(reportTable(reports));
    await env?.close();
  }, 120_000);

  for (const [i, fault] of FAULTS.entries()) {
    it(`${i + 1}. ${fault.name}`, async () => {
      const [report] = await runFaults(env, [{ number: i + 1, fault }], QUICK, 90_000);
      reports.push(report!);
      expect(report!.checks.filter((check) => !check.ok)).toEqual([]);
      expect({ lost: report!.lost, duplicated: report!.duplicated, extra: report!.extra }).toEqual({ lost: 0, duplicated: 0, extra: 0 });
      expect(report!.convergence.converged).toBe(true);
    }, 300_000);
  }
});
