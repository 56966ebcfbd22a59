// Three projects, one per lane: `npm run test:unit` (no servers, many workers), `test:integration` (real
// servers and spawned processes, two workers), `test:browser` (Chromium, one worker); `npm test` runs all.
// Every test file under test/ lands in exactly one project (test/unit/test-projects.test.ts checks it).
// Vitest runs projects with different worker counts one group after another (sequence.groupOrder):
// unit first (seconds), then integration, then browser.
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { scaled } from './test/support/time-scale.ts';

const TESTS = 'test/**/*.test.{ts,tsx}';
export const PROJECT_GLOBS: Record<'unit' | 'browser' | 'integration', string[]> = {
  unit: ['test/unit/**/*.test.{ts,tsx}'],
  browser: ['test/browser/**/*.test.{ts,tsx}'],
  /** Everything else under test/ (api, admin, integration, security, worker, and any new folder). */
  integration: [TESTS],
};
const NOT_INTEGRATION = [...PROJECT_GLOBS.unit, ...PROJECT_GLOBS.browser];
const ALWAYS_EXCLUDED = ['test/bench/**', 'node_modules/**'];
/** Every project's: expect.poll waits 1 s by default, far too short for a busy machine. */
const EXPECT = { poll: { timeout: scaled(30_000) } };
/**
 * Every project's: a worker keeps its loaded modules from one test file to the next instead of importing the
 * app's ~1,000 modules again for each file (that import was a quarter of the run: 224 s of 615 s). Test files
 * themselves are still evaluated afresh; nothing in src/ or test/support keeps per-file state in a module
 * (services, registries and caches hang off the instances a file creates), and no test file stubs globals,
 * env variables or modules. A file that must change such state restores it in afterAll.
 */
const ISOLATE = false;

export default defineConfig({
  test: {
    // Root settings: the one global setup (servers, templates) and the reporters; the projects below set
    // their own files, workers and timeouts. Timeouts are ceilings for a hang, scaled by TEST_TIME_SCALE.
    globalSetup: ['test/support/global-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: PROJECT_GLOBS.unit,
          exclude: ALWAYS_EXCLUDED,
          pool: 'threads',
          isolate: ISOLATE,
          maxWorkers: Math.max(2, availableParallelism()),
          // A few unit files open an in-memory PGlite, which a busy machine can take a minute to start.
          testTimeout: scaled(180_000),
          hookTimeout: scaled(180_000),
          expect: EXPECT,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: PROJECT_GLOBS.integration,
          exclude: [...ALWAYS_EXCLUDED, ...NOT_INTEGRATION],
          // Suites start real servers and processes; two cores gain nothing from more workers.
          pool: 'forks',
          maxWorkers: 2,
          isolate: ISOLATE,
          testTimeout: scaled(180_000),
          hookTimeout: scaled(180_000),
          expect: EXPECT,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'browser',
          include: PROJECT_GLOBS.browser,
          exclude: ALWAYS_EXCLUDED,
          // Chromium plus a spawned origin per file: one file at a time.
          pool: 'forks',
          maxWorkers: 1,
          isolate: ISOLATE,
          testTimeout: scaled(180_000),
          hookTimeout: scaled(180_000),
          expect: EXPECT,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
