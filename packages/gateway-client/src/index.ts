export { GatewayDispatchEvents, GatewayIntentBits, GatewayOpcodes } from '@concord/protocol';
export { type BackoffOptions, backoffDelay } from './backoff.js';
export { type FetchGatewayBotOptions, fetchGatewayBot, type GatewayBotInfo } from './fetchGatewayBot.js';
export {
  GatewayClientError,
  type GatewayClientErrorCode,
  GatewayCloseError,
  GatewayRateLimitError,
} from './GatewayClientError.js';
export { GatewayConnection, GatewayConnection as Shard } from './GatewayConnection.js';
export type { IdentifyLimits, IdentifyQueue } from './IdentifyQueue.js';
export { IdentifyThrottle } from './IdentifyThrottle.js';
export { SendQueue, type SendQueueOptions } from './SendQueue.js';
export {
  ShardManager,
  type ShardManagerEvents,
  type ShardManagerOptions,
  type ShardRange,
  type ShardSessionStore,
  type ShardStatus,
} from './ShardManager.js';
export { compareSnowflakes, mergeBySnowflake, sortBySnowflake } from './snowflakeOrder.js';
export type * from './types.js';
