import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // The optional sodium-native loader uses createRequire(import.meta.url); the shim makes that work in the CJS build.
  shims: true,
});
