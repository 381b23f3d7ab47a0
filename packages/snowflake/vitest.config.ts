import { defineProject } from 'vitest/config';

export default defineProject({
  // Property tests run millions of ids; on a busy 2-core box they can take several times their usual second or two.
  test: { name: 'snowflake', include: ['__tests__/**/*.test.ts'], testTimeout: 30_000 },
});
