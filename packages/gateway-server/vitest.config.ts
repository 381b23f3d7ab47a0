import { definePackageTests } from '../../internal/config/vitest.js';

export default definePackageTests({
  name: 'gateway-server',
  setupFiles: ['__tests__/contractSetup.ts'],
  // __tests__/types/*.test-d.ts pin the typed dispatch and event maps.
  typecheck: true,
});
