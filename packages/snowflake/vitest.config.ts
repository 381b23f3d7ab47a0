import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'snowflake', include: ['__tests__/**/*.test.ts'] },
});
