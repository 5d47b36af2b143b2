import fs from 'node:fs';
import path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/**
 * Writes each test file's start, end and state to `VITEST_PROGRESS_FILE` as they happen, so
 * that `npm test` (cli/test.mjs), which enforces the per-file and whole-run time limits, can
 * name the files that failed, ran out of time or never ran, even after it had to kill vitest.
 */
export default class ProgressReporter implements Reporter {
  private readonly file = process.env.VITEST_PROGRESS_FILE;
  private readonly files: Record<string, { project: string; startedAt: number; endedAt?: number; state?: string }> = {};

  onTestModuleStart(module: TestModule): void {
    this.files[this.name(module)] = { project: module.project.name, startedAt: Date.now() };
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
