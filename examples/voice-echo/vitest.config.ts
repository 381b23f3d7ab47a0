import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'example-voice-echo',
    include: ['__tests__/**/*.test.ts'],
    // The chat servers these tests start hold every dispatch and REST answer to Discord's shape (see there).
    setupFiles: ['../chat-server/__tests__/contractSetup.ts'],
    globalSetup: ['../chat-server/__tests__/globalSetup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
