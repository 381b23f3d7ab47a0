import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'example-cluster',
    include: ['__tests__/**/*.test.ts'],
    // The test runs the whole cluster as `node examples/cluster` does: child processes, Redis, a rolling restart.
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
