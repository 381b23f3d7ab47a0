import { defineConfig } from 'tsup';

export default defineConfig({
  // index = portable (browsers), node = same API with node:zlib fast paths; package.json picks by condition.
  entry: { index: 'src/index.ts', node: 'src/node.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // Keep `node:` specifiers as written: stripping them breaks resolvers that only know the prefixed builtins.
  removeNodeProtocol: false,
  // import.meta.url in the CJS build (napiZstd.ts loads the optional zstd-napi binding with createRequire).
  shims: true,
});
