import fs from 'node:fs';
import path from 'node:path';
import type { Reporter, TestCase, TestModule } from 'vitest/node';

interface FileProgress {
  project: string;
  startedAt: number;
  endedAt?: number;
  state?: string;
  /** Tests that failed so far, with their first error line: named even when the run is stopped before vitest's own summary. */
  failedTests?: string[];
}

/**
 * Writes each test file's start, end and state to `VITEST_PROGRESS_FILE` as they happen, so
 * that `npm test` (cli/test.mjs), which enforces the per-file and whole-run time limits, can
 * name the files and tests that failed, ran out of time or never ran, even after it had to kill vitest.
 */
export default class ProgressReporter implements Reporter {
  private readonly file = process.env.VITEST_PROGRESS_FILE;
  private readonly files: Record<string, FileProgress> = {};

  onTestModuleStart(module: TestModule): void {
    this.files[this.name(module)] = { project: module.project.name, startedAt: Date.now() };
    this.write();
  }

  onTestCaseResult(test: TestCase): void {
    const result = test.result();
    if (result.state !== 'failed') return;
    const entry = this.files[this.name(test.module)];
    if (!entry) return;
    const firstError = result.errors?.[0]?.message?.split('\n')[0] ?? 'no error message';
    (entry.failedTests ??= []).push(`${test.fullName}: ${firstError.slice(0, 300)}`);
    this.write();
  }

  onTestModuleEnd(module: TestModule): void {
    const entry = this.files[this.name(module)];
    if (entry) {
      entry.endedAt = Date.now();
      entry.state = module.state();
    }
    this.write();
  }

  private name(module: TestModule): string {
    return path.relative(process.cwd(), module.moduleId);
  }

  private write(): void {
    if (!this.file) return;
    fs.writeFileSync(this.file, JSON.stringify(this.files));
  }
}
