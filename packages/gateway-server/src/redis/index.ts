/**
 * `@concord/gateway-server/redis`: the Redis-backed ports of a gateway cluster (needs the optional peer `ioredis`).
 * Start with `createRedisCluster`, which builds all four with one prefix; the single factories are here for a node
 * that needs only one of them.
 */
export type { BrokerStats, BusBroker, RawBrokerListener, RawBusBroker } from '../brokers/BusBroker.js';
export {
  type BrokerWireFormat,
  decodeBrokerMessage,
  decodeBrokerPayload,
  encodeBrokerMessage,
  encodeBrokerPayload,
} from '../brokers/brokerCodec.js';
export { createRedisBroker, type RedisBrokerOptions } from '../brokers/createRedisBroker.js';
export {
  createRedisResumeStore,
  type RedisResumeStore,
  type RedisResumeStoreOptions,
} from '../resume/createRedisResumeStore.js';
export { createRedisCluster, type RedisCluster, type RedisClusterOptions } from './createRedisCluster.js';
export {
  createRedisIdentifyThrottle,
  type RedisIdentifyThrottle,
  type RedisIdentifyThrottleOptions,
} from './createRedisIdentifyThrottle.js';
export {
  createRedisSessionStartLimiter,
  type RedisSessionStartLimiterOptions,
} from './createRedisSessionStartLimiter.js';
