import { definePackageTests } from '../../internal/config/vitest.js';

export default definePackageTests({
  name: 'example-bot',
  // The chat servers these tests start hold every dispatch and REST answer to Discord's shape (see there).
  setupFiles: ['../chat-server/__tests__/contractSetup.ts'],
  globalSetup: ['../chat-server/__tests__/globalSetup.ts'],
  testTimeout: 30_000,
  hookTimeout: 30_000,
});
