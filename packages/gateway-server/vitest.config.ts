import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'gateway-server',
    include: ['__tests__/**/*.test.ts'],
    setupFiles: ['__tests__/contractSetup.ts'],
  },
});
