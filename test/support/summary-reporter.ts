// The last lines of every run: the counts as one plain line (`N passed, N failed, N skipped`), the slowest
// files, and, under CI=true, a failure for any skipped test (CI installs every server, so nothing may skip).
// With TEST_RECORD_DURATIONS=1 it also writes each file's duration into test/support/file-durations.json,
// which orders the next runs (test/support/sequencer.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import { recordDurations } from './sequencer.ts';

const inCi = () => process.env.CI === 'true' || process.env.CI === '1';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const skipped: string[] = [];
    const brokenFiles: string[] = [];
    for (const module of testModules) {
      if (module.errors().length > 0) brokenFiles.push(module.moduleId);
      let testsInModule = 0;
      for (const test of module.children.allTests()) {
        testsInModule++;
        const state = test.result().state;
        if (state === 'passed') counts.passed++;
        // A test its suite's hook kept from running (a beforeAll that threw or timed out) did not pass.
        else if (state === 'failed' || inFailedSuite(test)) counts.failed++;
        else {
          counts.skipped++;
          skipped.push(`${module.relativeModuleId} > ${test.fullName}`);
        }
      }
      // A file that failed before any test was collected (a syntax error, a throwing import) is one failure.
      if (testsInModule === 0 && module.errors().length > 0) counts.failed++;
    }
    const slowest = [...testModules]
      .map((module) => ({ file: module.relativeModuleId, ms: module.diagnostic().duration }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 5);
    const lines = [''];
    if (slowest.length) {
      lines.push(
        `slowest files: ${slowest.map(({ file, ms }) => `${file} ${(ms / 1000).toFixed(1)} s`).join(', ')}`,
      );
    }
    if (brokenFiles.length) lines.push(`files that failed outside a test: ${brokenFiles.length}`);
    if (inCi() && counts.skipped > 0) {
      lines.push(
        `CI=true: ${counts.skipped} skipped tests count as a failure:`,
        ...skipped.map((t) => `  ${t}`),
      );
      process.exitCode = 1;
    }
    if (process.env.TEST_RECORD_DURATIONS === '1') {
      const root = join(import.meta.dirname, '../..');
      recordDurations(
        Object.fromEntries(
          testModules.map((module) => [module.relativeModuleId, module.diagnostic().duration / 1000]),
        ),
        (file) => existsSync(join(root, file)),
      );
      lines.push('durations written to test/support/file-durations.json');
    }
    lines.push(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
    console.log(lines.join('\n'));
  }
}

/** Whether a suite around the test (or its file) recorded an error of its own, e.g. from a hook. */
function inFailedSuite(test: TestCase): boolean {
  for (let parent = test.parent; ; parent = parent.parent) {
    if (parent.errors().length > 0) return true;
    if (parent.type === 'module') return false;
  }
}
