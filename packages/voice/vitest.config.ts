import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'voice', include: ['__tests__/**/*.test.ts'] },
});
