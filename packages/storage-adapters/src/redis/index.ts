export {
  createRedisPresenceStore,
  type RedisPresenceStore,
  type RedisPresenceStoreOptions,
} from './createRedisPresenceStore.js';
export {
  createRedisSessionStore,
  type RedisSessionStore,
  type RedisSessionStoreOptions,
} from './createRedisSessionStore.js';
export {
  type RedisCachedStore,
  type RedisCacheOptions,
  type RedisCacheStats,
  withRedisCache,
} from './withRedisCache.js';
