export {
  createRedisIdentifyThrottle,
  type RedisIdentifyThrottle,
  type RedisIdentifyThrottleOptions,
} from '../redis/createRedisIdentifyThrottle.js';
export {
  createRedisSessionStartLimiter,
  type RedisSessionStartLimiterOptions,
} from '../redis/createRedisSessionStartLimiter.js';
export {
  createRedisResumeStore,
  type RedisResumeStore,
  type RedisResumeStoreOptions,
} from '../resume/createRedisResumeStore.js';
export { ResumeError, type ResumeErrorCode } from '../resume/ResumeError.js';
export type { ClaimedSession, ResumeStore, SessionWrite, TopicTail } from '../resume/ResumeStore.js';
export type { BrokerStats, BusBroker } from './BusBroker.js';
export { decodeBrokerMessage, encodeBrokerMessage } from './brokerCodec.js';
export { createRedisBroker, type RedisBrokerOptions } from './createRedisBroker.js';
