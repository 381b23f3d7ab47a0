import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `npm run soak`: the soak test alone, outside `npm test` (it runs for minutes and measures latency, so it must not
// share the machine with the other test files).
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['soak/**/*.test.ts'],
    globalSetup: ['__tests__/globalSetup.ts'],
    testTimeout: 600_000,
    fileParallelism: false,
  },
});
