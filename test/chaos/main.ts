// `npm run chaos [-- --quick] [fault numbers...]`: the reliability run, its report table on stdout.
import { ChaosEnv } from './chaos-env.ts';
import { asIntended, reportTable, runFaults } from './chaos-run.ts';
import { describeScale, FAULTS, FULL, QUICK } from './faults.ts';

const args = process.argv.slice(2);
const scale = args.includes('--quick') ? QUICK : FULL;
const picked = args.filter((arg) => /^\d+$/.test(arg)).map(Number);
const numbers = picked.length ? picked : FAULTS.map((_, i) => i + 1);
const faults = numbers.map((number) => {
  const fault = FAULTS[number - 1];
  if (!fault) throw new Error(`no fault ${number}: 1 to ${FAULTS.length}`);
  return { number, fault };
});

const log = (line: string) => process.stderr.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const started = Date.now();
const env = await ChaosEnv.create(log);
let failed: boolean;
try {
  const reports = await runFaults(env, faults, scale, 120_000);
  const command = args.length ? `npm run chaos -- ${args.join(' ')}` : 'npm run chaos';
  process.stdout.write(
    `\nChaos run: \`${command}\`, ${scale.name} scale (${describeScale(scale)}), ${((Date.now() - started) / 60_000).toFixed(1)} min, ${new Date().toISOString().slice(0, 10)}:\n\n${reportTable(reports)}\n`,
  );
  failed = reports.some((r) => !asIntended(r));
} finally {
  await env.close();
}
process.exit(failed ? 1 : 0);
