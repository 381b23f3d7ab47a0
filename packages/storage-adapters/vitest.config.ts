import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'storage-adapters', include: ['__tests__/**/*.test.ts'] },
});
