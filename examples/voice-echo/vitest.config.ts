import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'example-voice-echo',
    include: ['__tests__/**/*.test.ts'],
    globalSetup: ['../chat-server/__tests__/globalSetup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
