export { type BackoffOptions, backoffDelay } from './backoff.js';
export { type FetchGatewayBotOptions, type GatewayBotInfo, fetchGatewayBot } from './fetchGatewayBot.js';
export {
  GatewayClientError,
  type GatewayClientErrorCode,
  GatewayCloseError,
  GatewayRateLimitError,
} from './GatewayClientError.js';
export { GatewayConnection, GatewayConnection as Shard } from './GatewayConnection.js';
export { IdentifyThrottle } from './IdentifyThrottle.js';
export { SendQueue, type SendQueueOptions } from './SendQueue.js';
export {
  type ShardManagerEvents,
  type ShardManagerOptions,
  ShardManager,
  type ShardSessionStore,
  type ShardStatus,
} from './ShardManager.js';
export { compareSnowflakes, mergeBySnowflake, sortBySnowflake } from './snowflakeOrder.js';
export type * from './types.js';
