import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'protocol', include: ['__tests__/**/*.test.ts'] },
});
