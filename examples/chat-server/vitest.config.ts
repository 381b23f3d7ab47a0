import { definePackageTests } from '../../internal/config/vitest.js';

export default definePackageTests({
  name: 'chat-server',
  globalSetup: ['__tests__/globalSetup.ts'],
  // Discord's wire contract, checked in every server the tests start (see the file).
  setupFiles: ['__tests__/contractSetup.ts'],
  // The tests spawn the server as `npm start` does; a few share one process per file.
  testTimeout: 30_000,
  hookTimeout: 30_000,
});
