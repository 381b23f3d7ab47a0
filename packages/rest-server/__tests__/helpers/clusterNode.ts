// One node of a cluster, run as a child process by cluster.test.ts:
//   node --import tsx __tests__/helpers/clusterNode.ts
// env: NODE_WORKER (snowflake worker id), REDIS_HOST, REDIS_PORT, REDIS_PREFIX, POSTGRES_URL, POSTGRES_SCHEMA,
// CONCORD_USERS (JSON: token → user), CONCORD_CONTRACT_CHECK (optional: file to append contract violations to).
// A whole server (startConcordNode: concordRest + GatewayServer + Community) over the cluster's shared Redis (broker,
// resume store, throttles) and PostgreSQL (entities, messages). Prints {"listening":"http://127.0.0.1:<port>"} once up;
// closes everything and exits 0 on SIGTERM or when stdin closes (the test runner is gone).
import type { UserData } from '@concord/gateway-server';
import { createRedisCluster } from '@concord/gateway-server/redis';
import { createPostgresEntityStore, createPostgresStore } from '@concord/storage-adapters/postgres';
import { startConcordNode } from './concordNode.js';

const env = process.env;
if (env.CONCORD_CONTRACT_CHECK) {
  const { installContractCheck } = await import('@concord/gateway-server/contract');
  installContractCheck({ file: env.CONCORD_CONTRACT_CHECK });
}
const required = (name: string): string => {
  const value = env[name];
  if (!value) throw new Error(`clusterNode: ${name} is not set`);
  return value;
};

const users = new Map(Object.entries(JSON.parse(required('CONCORD_USERS')) as Record<string, UserData>));
const redis = await createRedisCluster({
  redis: { host: env.REDIS_HOST ?? '127.0.0.1', port: Number(env.REDIS_PORT ?? 6379), maxRetriesPerRequest: 1 },
  prefix: required('REDIS_PREFIX'),
  identifyThrottle: { intervalMs: 0 },
});
const connectionString = required('POSTGRES_URL');
const schema = required('POSTGRES_SCHEMA');
const store = await createPostgresEntityStore({ connectionString, schema });
const messages = await createPostgresStore({ connectionString, schema });
const node = await startConcordNode({
  store,
  messages,
  users,
  workerId: Number(env.NODE_WORKER ?? 1),
  gateway: {
    broker: redis.broker,
    resumeStore: redis.resumeStore,
    identifyThrottle: redis.identifyThrottle,
    sessionStartLimiter: redis.sessionStartLimiter,
  },
});
process.stdout.write(`${JSON.stringify({ listening: node.url })}\n`);

let stopping: Promise<void> | null = null;
const stop = (): Promise<void> =>
  (stopping ??= (async () => {
    await node.close().catch(() => undefined);
    await redis.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    await messages.close().catch(() => undefined);
    process.exit(0);
  })());
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.on('close', () => void stop());
process.stdin.resume();
