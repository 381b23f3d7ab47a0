import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', cluster: 'src/cluster/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // Keep `node:` specifiers as written: stripping them breaks resolvers that only know the prefixed builtins.
  removeNodeProtocol: false,
  // The optional sodium-native loader uses createRequire(import.meta.url); the shim makes that work in the CJS build.
  shims: true,
});
