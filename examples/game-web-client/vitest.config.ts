import { definePackageTests } from '../../internal/config/vitest.js';

export default definePackageTests({
  name: 'game-web-client',
  // Two Chromiums, a game server and WebRTC in one test: its steps wait on the media path.
  testTimeout: 120_000,
  hookTimeout: 60_000,
});
