import { definePackageTests } from '../../internal/config/vitest.js';

export default definePackageTests({
  name: 'gateway-client',
  setupFiles: ['__tests__/contractSetup.ts'],
  typecheck: true,
});
