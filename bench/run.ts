import { readdirSync } from 'node:fs';

/** Each `bench/<name>.scenario.ts` exports `run(args)`; figures are printed, never asserted. */
const scenarios = readdirSync(new URL('.', import.meta.url))
  .filter((file) => file.endsWith('.scenario.ts'))
  .map((file) => file.replace('.scenario.ts', ''));

const [name, ...args] = process.argv.slice(2);
if (!name || !scenarios.includes(name)) {
  process.stderr.write(`Usage: npm run bench -- <scenario> [args]\nScenarios: ${scenarios.join(', ') || '(none yet)'}\n`);
  process.exit(2);
}
const scenario = (await import(`./${name}.scenario.ts`)) as { run(args: string[]): Promise<void> };
await scenario.run(args);
