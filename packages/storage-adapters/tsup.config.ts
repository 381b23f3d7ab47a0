import { definePackageBuild } from '../../internal/config/tsup.js';

export default definePackageBuild({
  // One entry per adapter, so importing the root never loads a driver.
  entry: {
    index: 'src/index.ts',
    sqlite: 'src/sqlite/index.ts',
    postgres: 'src/postgres/index.ts',
    cassandra: 'src/cassandra/index.ts',
    redis: 'src/redis/index.ts',
    conformance: 'src/conformance/index.ts',
    presence: 'src/presence/index.ts',
    entities: 'src/entities/index.ts',
    kit: 'src/kit/index.ts',
    blobs: 'src/blobs/index.ts',
    open: 'src/open/index.ts',
  },
  // The internal Redis kit (script runner, identify script) is bundled in: it is no runtime dependency.
  noExternal: ['@concord/redis-kit'],
  // Drivers are loaded with `createRequire(import.meta.url)` when first needed (src/optionalDependency.ts).
  shims: true,
  // Drivers are optional peers: resolved from the user's node_modules, never bundled.
  external: ['better-sqlite3', 'pg', 'cassandra-driver', 'ioredis', 'vitest', 'fast-check', '@concord/snowflake'],
});
