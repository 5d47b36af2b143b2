import { randomBytes } from 'node:crypto';
import type { ChaosEnv } from './chaos-env.ts';
import { awaitConvergence, canonical, type Convergence, type StoreComparison } from './convergence.ts';
import type { Check, Fault, Scale } from './faults.ts';
import type { LoadFigures } from './load-generator.ts';

/** One row of the report: a fault and what became of the logs acknowledged under it. */
export interface FaultReport {
  number: number;
  fault: string;
  recovery: 'sinks' | 'reconcile';
  acknowledged: number;
  /** Once the sinks alone were done: acknowledged, yet missing from Postgres or (outside the DLQ) from Elasticsearch. */
  lost: number;
  duplicated: number;
  /** Held, but not as the client sent it. */
  differing: number;
  /** Stored but never acknowledged. */
  extra: number;
  /** What the reconcile that followed repaired (replayed, replaced, twins and extras removed); undefined: none was run. */
  repaired: number | undefined;
  /** Until both stores held exactly what was sent, sinks alone (or after the reconcile a designed one needs); undefined: never. */
  convergeSeconds: number | undefined;
  checks: Check[];
  /** The oracle's verdict. */
  passed: boolean;
  /** For a self-check: whether the oracle failed the fault exactly as it had to. */
  selfCheck?: Check;
  sinksAlone: Convergence;
  afterReconcile?: Convergence;
}

/** Whether a report is what the run wants: a pass, or, for a self-check, the oracle's failure as designed. */
export const asIntended = (report: FaultReport) => (report.selfCheck ? report.selfCheck.ok : report.passed);

const sameIds = (a: readonly string[], b: ReadonlySet<string>) => a.length === b.size && a.every((id) => b.has(id));
const worst = (c: Convergence, key: 'lost' | 'duplicated' | 'extra' | 'differing') => Math.max(c.postgres[key], c.elasticsearch[key]);
const describe = (name: string, c: StoreComparison) =>
  `${name} ${c.stored} stored, ${c.lost} lost, ${c.duplicated} doubled, ${c.extra} extra, ${c.differing} differing${c.differingExamples.length ? ` (e.g. ${c.differingExamples[0]})` : ''}`;

/**
 * Runs each fault on its own resourceId, then judges it. First the sinks alone: both stores
 * must come to hold exactly the acknowledged logs, each once and as sent. A fault whose designed
 * recovery is the sinks (kills, outages, throttling, churn) fails if they do not; a reconcile
 * then runs only to report what it had to repair. A fault that destroys data behind LogFlow's
 * back (recovery `reconcile`) passes only if the sinks alone left exactly that loss and the
 * reconcile repaired exactly it. A self-check hides loss from the sinks: the oracle must fail it.
 */
export async function runFaults(env: ChaosEnv, faults: { number: number; fault: Fault }[], scale: Scale, convergeTimeoutMs: number): Promise<FaultReport[]> {
  const reports: FaultReport[] = [];
  for (const { number, fault } of faults) {
    const resourceId = `chaos-${number}-${randomBytes(3).toString('hex')}`;
    env.log(`fault ${number}: ${fault.name} (${resourceId})`);
    const ledgerBefore = await env.ledger();
    const started = Date.now();
    const outcome = await fault.run({ env, scale, resourceId });
    const latencies = outcome.load.latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
    env.log(
      `fault ${number}: ${outcome.acknowledged.size} logs acknowledged in ${((Date.now() - started) / 1000).toFixed(1)} s, ` +
        `${outcome.load.failedAttempts} failed attempts retried, request p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`,
    );
    const expected = new Map([...outcome.acknowledged].map((id) => [id, canonical(outcome.sent.get(id)!)]));
    const inEs = new Map([...expected].filter(([id]) => !outcome.deadLettered?.has(id)));
    // Hidden loss is in place once the fault returns (the sinks had caught up): a short look is enough.
    const sinksAlone = await awaitConvergence(env.lf, resourceId, expected, { expectedInElasticsearch: inEs, timeoutMs: outcome.hidden ? 10_000 : convergeTimeoutMs });
    let repaired: number | undefined;
    let afterReconcile: Convergence | undefined;
    if (!sinksAlone.converged) {
      const result = await env.reconcile(resourceId);
      repaired = result.replayed + result.outdatedReplaced + result.twinsRemoved + result.extraRemoved;
      env.log(
        `fault ${number}: reconcile found ${result.missingFound} missing, ${result.extraFound} extra; replayed ${result.replayed}, replaced ${result.outdatedReplaced}, removed ${result.twinsRemoved} twins`,
      );
      // A reconcile that repaired nothing changed nothing: one look, not a wait.
      afterReconcile = await awaitConvergence(env.lf, resourceId, expected, { expectedInElasticsearch: inEs, timeoutMs: repaired === 0 ? 0 : 20_000 });
    }

    const ledgerAfter = await env.ledger();
    const written = ledgerAfter.postgresWritten - ledgerBefore.postgresWritten;
    const accepted = ledgerAfter.accepted - ledgerBefore.accepted;
    const checks: Check[] = [
      ...outcome.checks,
      { what: 'ledger: Postgres rows written = acknowledged', ok: written === outcome.acknowledged.size, detail: `${written} written, ${outcome.acknowledged.size} acknowledged` },
      ledgerCheck(outcome.ledgerExact, accepted, outcome.load),
    ];
    let passed: boolean;
    let selfCheck: Check | undefined;
    const hidden = outcome.hidden;
    if (hidden && outcome.recovery === 'reconcile') {
      // Designed for reconcile: the sinks alone leave exactly the destroyed logs missing, the reconcile restores exactly them.
      const leftByTheSinks = sameIds(sinksAlone[hidden.store].lostIds, hidden.ids) && sinksAlone.postgres.lost + sinksAlone.elasticsearch.lost === hidden.ids.size;
      checks.push(
        {
          what: 'the sinks alone left exactly the destroyed logs missing',
          ok: hidden.ids.size > 0 && leftByTheSinks,
          detail: `${hidden.ids.size} destroyed; ${describe('Postgres', sinksAlone.postgres)}; ${describe('Elasticsearch', sinksAlone.elasticsearch)}`,
        },
        { what: 'the reconcile repaired exactly them', ok: repaired === hidden.ids.size, detail: `${repaired ?? 'no'} repaired` },
      );
      passed = checks.every((check) => check.ok) && afterReconcile?.converged === true;
    } else {
      passed = sinksAlone.converged && checks.every((check) => check.ok);
    }
    if (hidden && outcome.selfCheck) {
      const altered = hidden.how === 'altered';
      const seen = altered ? sinksAlone[hidden.store].differingIds : sinksAlone[hidden.store].lostIds;
      const found = sameIds(seen, hidden.ids);
      // Reconcile compares ids and receipt times, not content: a changed document is only reported.
      const repairedExactly = altered || (hidden.store === 'elasticsearch' ? repaired === hidden.ids.size && afterReconcile?.converged === true : repaired === 0);
      const expectation = altered ? 'reported' : hidden.store === 'elasticsearch' ? 'repaired exactly them' : 'repaired none (Postgres is the source)';
      selfCheck = {
        what: `the oracle failed the fault, finding exactly the ${hidden.ids.size} logs ${altered ? 'changed in' : 'hidden from'} ${hidden.store}, and the reconcile ${expectation}`,
        ok: hidden.ids.size > 0 && !passed && found && repairedExactly,
        detail: `verdict ${passed ? 'pass' : 'FAIL'}; ${hidden.store} ${altered ? 'differing' : 'lost'} ${seen.length} (${found ? 'the very ids' : 'NOT the ids'} ${altered ? 'changed' : 'hidden'}); reconcile repaired ${repaired ?? 'nothing (not run)'}`,
      };
    }
    const final = outcome.recovery === 'reconcile' ? afterReconcile : sinksAlone;
    const report: FaultReport = {
      number,
      fault: fault.name,
      recovery: outcome.recovery ?? 'sinks',
      acknowledged: outcome.acknowledged.size,
      lost: worst(sinksAlone, 'lost'),
      duplicated: worst(sinksAlone, 'duplicated'),
      differing: worst(sinksAlone, 'differing'),
      extra: worst(sinksAlone, 'extra'),
      repaired,
      convergeSeconds: final?.converged ? final.seconds + (final === afterReconcile ? sinksAlone.seconds : 0) : undefined,
      checks,
      passed,
      ...(selfCheck ? { selfCheck } : {}),
      sinksAlone,
      ...(afterReconcile ? { afterReconcile } : {}),
    };
    const { sinksAlone: _s, afterReconcile: _a, ...row } = report;
    env.log(
      `fault ${number}: ${passed ? 'passed' : 'FAILED'} after ${((Date.now() - started) / 1000).toFixed(0)} s${selfCheck ? ` (self-check ${selfCheck.ok ? 'ok' : 'NOT ok'})` : ''}: ${JSON.stringify(row)}`,
    );
    if (!passed) env.log(`sinks alone: ${describe('Postgres', sinksAlone.postgres)}; ${describe('Elasticsearch', sinksAlone.elasticsearch)}`);
    if (!asIntended(report)) {
      env.log(`the roles' last lines:\n${env.recentOutput()}`);
      // Again after the roles' lines, which can fill a CI log's visible tail.
      env.log(
        `fault ${number} not as intended; checks that failed: ${JSON.stringify(checks.filter((check) => !check.ok))}; ` +
          `sinks alone: ${describe('Postgres', sinksAlone.postgres)}; ${describe('Elasticsearch', sinksAlone.elasticsearch)}`,
      );
    }
    reports.push(report);
  }
  return reports;
}

/**
 * The ingester counts a log as accepted when it answers 2xx. Exactly the logs in 2xx answers,
 * unless an attempt got no answer at all (the client's timeout on a loaded machine): the
 * ingester may have counted those before the answer was lost, so they widen the bound. When the
 * ingester is killed, counts it had not written to Redis die with it: at most the answers.
 */
function ledgerCheck(exact: boolean, accepted: number, load: LoadFigures): Check {
  const answers = load.acknowledgedInAnswers;
  const detail = `${accepted} counted, ${answers} in answers${load.unansweredLogs ? `, ${load.unansweredLogs} in attempts without an answer` : ''}`;
  if (!exact) return { what: 'ledger: accepted <= logs in 2xx answers', ok: accepted <= answers && accepted > 0, detail };
  if (load.unansweredLogs === 0) return { what: 'ledger: accepted = logs in 2xx answers', ok: accepted === answers, detail };
  return { what: 'ledger: logs in 2xx answers <= accepted <= those + logs in unanswered attempts', ok: accepted >= answers && accepted <= answers + load.unansweredLogs, detail };
}

/** The report as a Markdown table (docs/reliability.md shows the last one). */
export function reportTable(reports: FaultReport[]): string {
  const lines = [
    '| # | Fault | Acknowledged | Lost | Doubled | Content differs | Extra | Repaired by reconcile | Converged in | Result |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---|',
    ...reports.map((r) => {
      const result = r.selfCheck ? `${r.passed ? 'pass' : 'FAIL'}: self-check ${r.selfCheck.ok ? 'ok' : 'NOT OK'}` : r.passed ? 'pass' : 'FAIL';
      const converged = r.convergeSeconds === undefined ? 'never' : `${r.convergeSeconds.toFixed(1)} s`;
      return `| ${r.number} | ${r.fault} | ${r.acknowledged.toLocaleString('en')} | ${r.lost} | ${r.duplicated} | ${r.differing} | ${r.extra} | ${r.repaired ?? '–'} | ${converged} | ${result} |`;
    }),
  ];
  const details = reports.flatMap((r) => [...r.checks, ...(r.selfCheck ? [r.selfCheck] : [])].map((c) => `- ${r.number}. ${c.what}: ${c.ok ? 'yes' : 'NO'} (${c.detail})`));
  const failed = reports.filter((r) => !asIntended(r)).map((r) => `- fault ${r.number}: ${r.fault}`);
  return [...lines, '', 'Checks:', ...details, ...(failed.length ? ['', 'Not as intended:', ...failed] : [])].join('\n');
}
