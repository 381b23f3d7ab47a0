// Node-only entry point (`@concord/gateway-client/redis`): loads nothing from the main entry's browser path.
export {
  createRedisIdentifyQueue,
  type IdentifyGrant,
  type RedisIdentifyQueue,
  type RedisIdentifyQueueOptions,
} from './redis/createRedisIdentifyQueue.js';
