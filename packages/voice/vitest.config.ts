import { defineProject } from 'vitest/config';

export default defineProject({
  // Loopback UDP/TLS sessions and property tests: generous per-test timeout for busy 2-core CI machines.
  test: {
    name: 'voice',
    include: ['__tests__/**/*.test.ts'],
    testTimeout: 20_000,
    setupFiles: ['__tests__/contractSetup.ts'],
  },
});
