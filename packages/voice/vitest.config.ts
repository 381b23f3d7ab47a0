import { definePackageTests } from '../../internal/config/vitest.js';

export default definePackageTests({
  name: 'voice',
  // Loopback UDP/TLS sessions and property tests: generous per-test timeout for busy 2-core CI machines.
  testTimeout: 20_000,
  setupFiles: ['__tests__/contractSetup.ts'],
  // __tests__/types/*.test-d.ts: the server satisfies VoiceGatewayContract at the type level.
  typecheck: true,
});
