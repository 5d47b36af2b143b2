import { randomBytes } from 'node:crypto';
import type { ChaosEnv } from './chaos-env.ts';
import { awaitConvergence, type Convergence } from './convergence.ts';
import type { Check, Fault, Scale } from './faults.ts';

/** One row of the report: a fault and what became of the logs acknowledged under it. */
export interface FaultReport {
  number: number;
  fault: string;
  acknowledged: number;
  /** Acknowledged, yet missing from Postgres or (outside the DLQ) from Elasticsearch once converged. */
  lost: number;
  duplicated: number;
  /** Stored but never acknowledged. */
  extra: number;
  convergeSeconds: number;
  reconciled: boolean;
  checks: Check[];
  passed: boolean;
  convergence: Convergence;
}

/**
 * Runs each fault on its own resourceId, waits until both stores hold exactly the ids
 * acknowledged under it (reconciling once when Elasticsearch is not there in time), and checks
 * the ledger moved by exactly what was acknowledged.
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
    const inEs = new Set([...outcome.acknowledged].filter((id) => !outcome.deadLettered?.has(id)));
    const convergence = await awaitConvergence(env.lf, resourceId, outcome.acknowledged, {
      expectedInElasticsearch: inEs,
      timeoutMs: convergeTimeoutMs,
      reconcile: () => env.reconcile(),
    });
    const ledgerAfter = await env.ledger();
    const written = ledgerAfter.postgresWritten - ledgerBefore.postgresWritten;
    const accepted = ledgerAfter.accepted - ledgerBefore.accepted;
    const checks: Check[] = [
      ...outcome.checks,
      { what: 'ledger: Postgres rows written = acknowledged', ok: written === outcome.acknowledged.size, detail: `${written} written, ${outcome.acknowledged.size} acknowledged` },
      {
        what: outcome.ledgerExact ? 'ledger: accepted = logs in 2xx answers' : 'ledger: accepted <= logs in 2xx answers',
        ok: outcome.ledgerExact ? accepted === outcome.load.acknowledgedInAnswers : accepted <= outcome.load.acknowledgedInAnswers && accepted > 0,
        detail: `${accepted} counted, ${outcome.load.acknowledgedInAnswers} in answers`,
      },
    ];
    const { postgres, elasticsearch } = convergence;
    const report: FaultReport = {
      number,
      fault: fault.name,
      acknowledged: outcome.acknowledged.size,
      lost: Math.max(postgres.lost, elasticsearch.lost),
      duplicated: Math.max(postgres.duplicated, elasticsearch.duplicated),
      extra: Math.max(postgres.extra, elasticsearch.extra),
      convergeSeconds: convergence.seconds,
      reconciled: convergence.reconciled,
      checks,
      passed: convergence.converged && checks.every((check) => check.ok),
      convergence,
    };
    env.log(`fault ${number}: ${report.passed ? 'passed' : 'FAILED'}: ${JSON.stringify({ ...report, convergence: undefined })}`);
    if (!report.passed) env.log(`the roles' last lines:\n${env.recentOutput()}`);
    reports.push(report);
  }
  return reports;
}

/** The report as a Markdown table (the README's Reliability section shows the last full one). */
export function reportTable(reports: FaultReport[]): string {
  const lines = [
    '| # | Fault | Acknowledged | Lost | Duplicated | Extra | Converged in | Reconcile needed | Result |',
    '|---|---|---:|---:|---:|---:|---:|---|---|',
    ...reports.map((r) =>
      `| ${r.number} | ${r.fault} | ${r.acknowledged.toLocaleString('en')} | ${r.lost} | ${r.duplicated} | ${r.extra} | ${r.convergeSeconds.toFixed(1)} s | ${r.reconciled ? 'yes' : 'no'} | ${r.passed ? 'pass' : 'FAIL'} |`,
    ),
  ];
  const failedChecks = reports.flatMap((r) => r.checks.filter((c) => !c.ok).map((c) => `- fault ${r.number}: ${c.what}: ${c.detail}`));
  const details = reports.flatMap((r) => r.checks.map((c) => `- ${r.number}. ${c.what}: ${c.ok ? 'yes' : 'NO'} (${c.detail})`));
  return [...lines, '', 'Checks:', ...details, ...(failedChecks.length ? ['', 'Failed:', ...failedChecks] : [])].join('\n');
}
