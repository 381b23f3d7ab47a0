import { definePackageTests } from '../../internal/config/vitest.js';

export default definePackageTests({
  name: 'snowflake',
  // Property tests run millions of ids; on a busy 2-core box they can take several times their usual second or two.
  testTimeout: 30_000,
});
