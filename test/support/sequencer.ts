// The order test files start in: longest first, across all three projects, so the two workers finish together
// instead of one of them running the last long file alone (a longest-first schedule). A fresh clone has no
// vitest cache, so the durations come from test/support/file-durations.json (seconds, from a full run on an
// idle two-core machine; `TEST_RECORD_DURATIONS=1 npm test` rewrites it). A file missing there uses this
// machine's last result from vitest's cache; a file known to neither starts first, as vitest does with new
// files. Projects with the same sequence.groupOrder share the workers (vitest.config.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export const DURATIONS_FILE = join(import.meta.dirname, 'file-durations.json');

/** Seconds per test file (path from the project root), as recorded. */
export function recordedDurations(): Record<string, number> {
  return JSON.parse(readFileSync(DURATIONS_FILE, 'utf8')) as Record<string, number>;
}

/** Merges `seconds` into the file (one decimal, sorted by path) and drops files that no longer exist. */
export function recordDurations(seconds: Record<string, number>, exists: (file: string) => boolean): void {
  const merged = { ...recordedDurations(), ...seconds };
  const kept = Object.keys(merged)
    .filter(exists)
    .sort()
    .map((file) => [file, Math.round(merged[file]! * 10) / 10] as const);
  writeFileSync(DURATIONS_FILE, `${JSON.stringify(Object.fromEntries(kept), null, 2)}\n`);
}

export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const recorded = recordedDurations();
    const root = this.ctx.config.root;
    const estimate = (spec: TestSpecification): number => {
      const file = relative(root, spec.moduleId);
      const seconds = recorded[file];
      if (seconds !== undefined) return seconds * 1000;
      const cached = this.ctx.cache.getFileTestResults(`${spec.project.name}:${file}`);
      return cached ? cached.duration : Number.POSITIVE_INFINITY;
    };
    const estimates = new Map(files.map((spec) => [spec, estimate(spec)]));
    return [...files].sort(
      (a, b) =>
        a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder ||
        estimates.get(b)! - estimates.get(a)! ||
        (a.moduleId < b.moduleId ? -1 : a.moduleId > b.moduleId ? 1 : 0),
    );
  }
}
