// The order test files start in. All three projects share the two workers (vitest.config.ts), and a worker
// that moves to a file of another project starts afresh (it imports the app again), so files are taken one
// project at a time, each project's longest first: browser (three long files, which the other worker overlaps
// with the longest integration files), then integration, then unit (many short files that fill the end, so
// the two workers finish together). A fresh clone has no vitest cache, so the durations come from
// test/support/file-durations.json (seconds, from a full run on an idle two-core machine;
// `TEST_RECORD_DURATIONS=1 npm test` rewrites it). A file missing there uses this machine's last result from
// vitest's cache; a file known to neither starts first in its project, as vitest does with new files.
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

/** Projects in the order their files are queued; a project not named here comes last. */
const PROJECT_ORDER = ['browser', 'integration', 'unit'];
const projectRank = (spec: TestSpecification) => {
  const rank = PROJECT_ORDER.indexOf(spec.project.name);
  return rank === -1 ? PROJECT_ORDER.length : rank;
};

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
        projectRank(a) - projectRank(b) ||
        estimates.get(b)! - estimates.get(a)! ||
        (a.moduleId < b.moduleId ? -1 : a.moduleId > b.moduleId ? 1 : 0),
    );
  }
}
