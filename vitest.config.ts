// Three projects, one per lane: `npm run test:unit` (no servers), `test:integration` (real servers and
// spawned processes), `test:browser` (Chromium); `npm test` runs all.
// Every test file under test/ lands in exactly one project (test/unit/test-projects.test.ts checks it).
// The three projects share one schedule: the same two workers take the next file of any project, longest
// first (test/support/sequencer.ts), so no lane waits for another to finish and no core idles while one
// lane's last long file runs alone. (Vitest runs projects with different worker counts or groupOrders one
// group after another.)
import { defineConfig } from 'vitest/config';
import LongestFirstSequencer from './test/support/sequencer.ts';
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
/**
 * Every project's, and the same for all three, so they run as one group: the target machine has two cores,
 * integration suites start real servers and processes (more workers gain nothing there), and a unit or browser
 * file takes whichever worker is free.
 */
const WORKERS = 2;

export default defineConfig({
  test: {
    // Root settings: the one global setup (servers, templates) and the reporters; the projects below set
    // their own files, workers and timeouts. Timeouts are ceilings for a hang, scaled by TEST_TIME_SCALE.
    globalSetup: ['test/support/global-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      {
        test: {
          name: 'unit',
          include: PROJECT_GLOBS.unit,
          exclude: ALWAYS_EXCLUDED,
          pool: 'threads',
          isolate: ISOLATE,
          maxWorkers: WORKERS,
          // A few unit files open an in-memory PGlite, which a busy machine can take a minute to start.
          testTimeout: scaled(180_000),
          hookTimeout: scaled(180_000),
          expect: EXPECT,
        },
      },
      {
        test: {
          name: 'integration',
          include: PROJECT_GLOBS.integration,
          exclude: [...ALWAYS_EXCLUDED, ...NOT_INTEGRATION],
          pool: 'forks',
          maxWorkers: WORKERS,
          isolate: ISOLATE,
          testTimeout: scaled(180_000),
          hookTimeout: scaled(180_000),
          expect: EXPECT,
        },
      },
      {
        test: {
          name: 'browser',
          include: PROJECT_GLOBS.browser,
          exclude: ALWAYS_EXCLUDED,
          // Chromium plus a spawned origin per file.
          pool: 'forks',
          maxWorkers: WORKERS,
          isolate: ISOLATE,
          testTimeout: scaled(180_000),
          hookTimeout: scaled(180_000),
          expect: EXPECT,
        },
      },
    ],
  },
});
