import { definePackageTests } from '../../internal/config/vitest.js';

export default definePackageTests({
  name: 'quickstarts',
  // The bots quickstart runs against the chat server as `npm start` runs it (built by its globalSetup).
  globalSetup: ['../chat-server/__tests__/globalSetup.ts'],
  testTimeout: 60_000,
  hookTimeout: 30_000,
});
