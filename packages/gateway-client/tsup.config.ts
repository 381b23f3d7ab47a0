import { definePackageBuild } from '../../internal/config/tsup.js';

export default definePackageBuild({
  // The Redis identify queue is its own entry (node only), so the main entry stays browser-safe and never loads ioredis.
  entry: {
    index: 'src/index.ts',
    redis: 'src/redis.ts',
  },
  // The internal Redis kit (script runner, identify script) is bundled in: it is no runtime dependency.
  noExternal: ['@concord/redis-kit'],
  external: ['ioredis'],
});
