import { definePackageTests } from '../../internal/config/vitest.js';

export default definePackageTests({
  name: 'games',
  // Property tests decode thousands of hostile tokens; a busy 2-core box can take several times their usual second.
  testTimeout: 30_000,
});
