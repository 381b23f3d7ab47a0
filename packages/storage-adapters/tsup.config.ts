import { defineConfig } from 'tsup';

export default defineConfig({
  // One entry per adapter, so importing the root never loads a driver.
  entry: {
    index: 'src/index.ts',
    sqlite: 'src/sqlite/index.ts',
    postgres: 'src/postgres/index.ts',
    cassandra: 'src/cassandra/index.ts',
    redis: 'src/redis/index.ts',
    conformance: 'src/conformance/index.ts',
  },
  // The internal Redis kit (script runner, identify script) is bundled in: it is no runtime dependency.
  noExternal: ['@concord/redis-kit'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // Keep `node:` specifiers as written: stripping them breaks resolvers that only know the prefixed builtins.
  removeNodeProtocol: false,
  // Drivers are optional peers: resolved from the user's node_modules, never bundled.
  external: ['better-sqlite3', 'pg', 'cassandra-driver', 'ioredis', 'vitest', '@concord/snowflake'],
});
