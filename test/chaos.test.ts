import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChaosEnv } from './chaos/chaos-env.ts';
import { reportTable, runFaults, type FaultReport } from './chaos/chaos-run.ts';
import { FAULTS, QUICK } from './chaos/faults.ts';

/**
 * The reliability run's quick scale (`npm run chaos` is the full one): every fault, each judged
 * by the oracle (the sinks alone converge to exactly what was sent, or reconcile repairs exactly
 * what was destroyed behind LogFlow's back); the self-checks must make the oracle fail.
 */
describe('chaos: nothing acknowledged is lost, doubled or changed under faults', () => {
  let env: ChaosEnv;
  const reports: FaultReport[] = [];

  beforeAll(async () => {
    // Timestamped: a CI log shows where the time went.
    env = await ChaosEnv.create((line) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}`));
  }, 240_000);

  afterAll(async () => {
    if (reports.length) console.log(reportTable(reports));
    await env?.close();
  }, 120_000);

  for (const [i, fault] of FAULTS.entries()) {
    // The fault itself (up to ~2 min at this scale), the sinks' 90 s, a reconcile and its 20 s.
    it(`${i + 1}. ${fault.name}`, async () => {
      const [report] = await runFaults(env, [{ number: i + 1, fault }], QUICK, 90_000);
      reports.push(report!);
      if (fault.name.startsWith('self-check')) {
        expect(report!.passed, 'the oracle must fail a fault whose loss the sinks cannot see').toBe(false);
        expect(report!.selfCheck).toMatchObject({ ok: true });
        return;
      }
      expect(report!.checks.filter((check) => !check.ok)).toEqual([]);
      expect(report!.passed).toBe(true);
      // The sinks' own faults need no reconcile at all; reconcile's own repair only what was destroyed (checked in `passed`).
      if (report!.recovery === 'sinks') {
        expect({ lost: report!.lost, duplicated: report!.duplicated, differing: report!.differing, extra: report!.extra, repaired: report!.repaired }).toEqual({
          lost: 0,
          duplicated: 0,
          differing: 0,
          extra: 0,
          repaired: undefined,
        });
      }
    }, 420_000);
  }
});
