import { defineConfig } from 'vitest/config';

// One run over every package, so `npm test` ends with one summary (and the plain "N passed, N failed" line CI reads).
export default defineConfig({
  test: {
    // examples/c-client is C (CMake): its test is packages/games/__tests__/cClient.test.ts, next to the match harness.
    projects: ['packages/*', 'examples/*', '!examples/c-client', 'interop'],
    reporters: ['default', './scripts/summary-reporter.ts'],
    // 2-core machines: two workers keep wall time down without starving the servers the tests talk to.
    maxWorkers: 2,
  },
});
