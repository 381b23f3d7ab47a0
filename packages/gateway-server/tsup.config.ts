import { defineConfig } from 'tsup';

export default defineConfig({
  // Each broker driver lives behind its own entry point, so importing the main entry never loads ioredis or nats.
  entry: {
    index: 'src/index.ts',
    'redis-broker': 'src/brokers/redis.ts',
    'nats-broker': 'src/brokers/nats.ts',
    // Serializers for applications (REST answers, their own dispatches) and the test-only contract checker.
    serialize: 'src/serialize/index.ts',
    contract: 'src/contract/index.ts',
  },
  // The internal Redis kit (script runner, identify script) is bundled in: it is no runtime dependency.
  noExternal: ['@concord/redis-kit'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  external: ['ioredis', 'nats'],
  // Keep `node:` specifiers as written: stripping them breaks resolvers that only know the prefixed builtins.
  removeNodeProtocol: false,
});
