import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/bench/**', 'node_modules/**'],
    globalSetup: ['test/support/global-setup.ts'],
    // Generous: suites spawn processes and real servers, and CI machines are small and sometimes busy.
    testTimeout: 90_000,
    hookTimeout: 60_000,
    // Suites start real servers and processes; two cores do not gain from more workers.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
