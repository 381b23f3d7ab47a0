import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'gateway-client',
    include: ['__tests__/**/*.test.ts'],
    // Load workspace packages' built dist with Node itself: tsup strips the `node:` prefix from builtins
    // (e.g. "timers/promises"), which vite's module runner would otherwise try to resolve as a file.
    server: { deps: { external: [/packages\/gateway-server\/dist/, /packages\/protocol\/dist/] } },
  },
});
