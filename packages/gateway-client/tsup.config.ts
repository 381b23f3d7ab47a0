import { defineConfig } from 'tsup';

export default defineConfig({
  // The Redis identify queue is its own entry (node only), so the main entry stays browser-safe and never loads ioredis.
  entry: {
    index: 'src/index.ts',
    redis: 'src/redis.ts',
  },
  // The internal Redis kit (script runner, identify script) is bundled in: it is no runtime dependency.
  noExternal: ['@concord/redis-kit'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  external: ['ioredis'],
  // Keep `node:` specifiers as written: stripping them breaks resolvers that only know the prefixed builtins.
  removeNodeProtocol: false,
});
