import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'chat-server',
    include: ['__tests__/**/*.test.ts'],
    globalSetup: ['__tests__/globalSetup.ts'],
    // Discord's wire contract, checked in every server the tests start (see the file).
    setupFiles: ['__tests__/contractSetup.ts'],
    // The tests spawn the server as `npm start` does; a few share one process per file.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
