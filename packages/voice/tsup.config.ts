import { definePackageBuild } from '../../internal/config/tsup.js';

export default definePackageBuild({
  entry: {
    index: 'src/index.ts',
    server: 'src/server.ts',
    client: 'src/client.ts',
    cluster: 'src/cluster/index.ts',
    rtp: 'src/rtp.ts',
    browser: 'src/browser/index.ts',
    testing: 'src/testing.ts',
  },
  // The optional sodium-native loader uses createRequire(import.meta.url); the shim makes that work in the CJS build.
  shims: true,
});
