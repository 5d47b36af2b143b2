import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

// The package boundaries are regular expressions in eslint.config.js; these cases pin what they
// let through and what they refuse, so an edit to a pattern cannot quietly open a boundary.
// Lives in cli/ because cli is the one package allowed to import every other.

/** The project's lint config without type information: the probes are not files in any tsconfig. */
const eslint = new ESLint({
  cwd: new URL('..', import.meta.url).pathname,
  overrideConfig: [tseslint.configs.disableTypeChecked, { languageOptions: { parserOptions: { projectService: false, project: null } } }],
});

/** The boundary messages `import … from specifier` gets in a file at `filePath`. */
async function refusals(filePath: string, specifier: string): Promise<string[]> {
  const script = `import * as probe from '${specifier}';\nexport { probe };\n`;
  const code = filePath.endsWith('.vue') ? `<script setup lang="ts">\n${script}</script>\n` : script;
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const allowed: [string, string][] = [
  ['common/src/probe.ts', 'zod'],
  ['common/src/probe.ts', './levels.ts'],
  ['core/src/probe.ts', '@logflow/common'],
  ['core/src/probe.ts', '@logflow/core/db-schema'],
  ['ingester/src/probe.ts', '@logflow/core'],
  ['sinks/src/probe.ts', '@logflow/common'],
  ['query/src/probe.ts', '@logflow/core'],
  ['sinks/src/probe.ts', '@logflow/core/testing'],
  ['cli/probe.ts', '@logflow/sinks'],
  ['cli/probe.ts', '@logflow/query'],
  ['web/src/probe.ts', '@logflow/common'],
  ['web/src/views/Probe.vue', '@logflow/common'],
  ['test/probe.ts', '@logflow/ingester'],
  ['bench/probe.ts', '@logflow/core/db-schema'],
  ['sinks/src/index.ts', './es-sink.ts'],
  ['sinks/src/jobs/probe.ts', '../es-bulk.ts'],
];

const refused: [string, string, RegExp][] = [
  ['core/src/probe.ts', '@logflow/core/config', /package's entry/],
  ['test/probe.ts', '@logflow/sinks/dlq-reader', /package's entry/],
  ['cli/probe.ts', '@logflow/query/main', /package's entry/],
  ['test/probe.ts', '../core/src/config.ts', /relative path into its sources/],
  ['query/src/probe.ts', '../../sinks/src/dlq-reader.ts', /relative path into its sources/],
  ['common/src/probe.ts', '@logflow/core', /imports no other @logflow package/],
  ['common/src/probe.ts', 'node:crypto', /no Node built-ins/],
  ['common/src/probe.ts', 'fs/promises', /no Node built-ins/],
  ['core/src/probe.ts', '@logflow/sinks', /bottom of the server side/],
  ['core/src/probe.ts', '@logflow/cli', /bottom of the server side/],
  ['ingester/src/probe.ts', '@logflow/sinks', /A role imports only/],
  ['sinks/src/probe.ts', '@logflow/query', /A role imports only/],
  ['query/src/probe.ts', '@logflow/sinks', /A role imports only/],
  ['query/src/probe.ts', '@logflow/cli', /A role imports only/],
  ['query/src/probe.ts', '@logflow/sinks/testing', /A role imports only/],
  ['web/src/probe.ts', '@logflow/query', /dashboard imports only @logflow\/common/],
  ['web/src/components/Probe.vue', '@logflow/core', /dashboard imports only @logflow\/common/],
  ['sinks/src/pg-sink.ts', './es-sink.ts', /start module is imported by the package entry only/],
  ['sinks/src/jobs/probe.ts', '../reconciler.ts', /start module is imported by the package entry only/],
];

describe('the package boundaries', () => {
  // The first lint loads the config and its plugins: seconds on a busy machine, which is not any case's time.
  beforeAll(async () => {
    await eslint.lintText('export {};\n', { filePath: 'core/src/probe.ts' });
  }, 60_000);

  it.each(allowed)('%s may import %s', async (file, specifier) => {
    expect(await refusals(file, specifier)).toEqual([]);
  });

  it.each(refused)('%s may not import %s', async (file, specifier, why) => {
    expect(await refusals(file, specifier)).toEqual([expect.stringMatching(why)]);
  });
});
