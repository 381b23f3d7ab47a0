import { definePackageBuild } from '../../internal/config/tsup.js';

export default definePackageBuild({
  entry: { index: 'src/index.ts' },
  // The native module is loaded with createRequire(import.meta.url); the shim makes that work in the CJS build.
  shims: true,
});
