export {
  createRedisPresenceStore,
  type RedisPresenceStore,
  type RedisPresenceStoreOptions,
} from './createRedisPresenceStore.js';
export {
  type RedisCachedStore,
  type RedisCacheOptions,
  type RedisCacheStats,
  withRedisCache,
} from './withRedisCache.js';
