import { definePackageTests } from '../../internal/config/vitest.js';

export default definePackageTests({
  name: 'example-cluster',
  // Discord's wire contract, checked in every node the test starts (see the file).
  setupFiles: ['__tests__/contractSetup.ts'],
  // The test runs the whole cluster as `node examples/cluster` does: child processes, Redis, a rolling restart.
  testTimeout: 60_000,
  hookTimeout: 30_000,
});
