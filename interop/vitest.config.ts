import { definePackageTests } from '../internal/config/vitest.js';

export default definePackageTests({
  name: 'interop',
  // The chat servers these tests start hold every dispatch and REST answer to Discord's shape (see there).
  setupFiles: ['../examples/chat-server/__tests__/contractSetup.ts'],
  // Builds examples/chat-server/dist: each test runs the server as `npm start` does.
  globalSetup: ['__tests__/globalSetup.ts'],
  // Each library runs as a child process with its own timeout (harness/runBot.ts); JVM and Python start-up is slow.
  testTimeout: 120_000,
  hookTimeout: 60_000,
});
