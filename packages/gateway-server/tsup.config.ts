import { definePackageBuild } from '../../internal/config/tsup.js';

export default definePackageBuild({
  // Each broker driver lives behind its own entry point, so importing the main entry never loads ioredis or nats.
  entry: {
    index: 'src/index.ts',
    redis: 'src/redis/index.ts',
    'nats-broker': 'src/brokers/nats.ts',
    // The rest of the public surface, kept out of the main entry (each subpath's index.ts says what it is for).
    resume: 'src/resume/index.ts',
    members: 'src/members/index.ts',
    metrics: 'src/metrics/index.ts',
    intents: 'src/intents/index.ts',
    presence: 'src/presence/index.ts',
    // Serializers for applications (REST answers, their own dispatches) and the test-only contract checker.
    serialize: 'src/serialize/index.ts',
    contract: 'src/contract/index.ts',
    // One node on every core: the worker pool and its host-local fan-out.
    host: 'src/host/index.ts',
  },
  // The internal Redis kit (script runner, identify script) is bundled in: it is no runtime dependency.
  noExternal: ['@concord/redis-kit'],
  // ioredis and nats are optional peers, loaded with `createRequire(import.meta.url)` when first needed
  // (src/optionalDependency.ts): absent, the error names the package to install.
  shims: true,
  external: ['ioredis', 'nats'],
});
