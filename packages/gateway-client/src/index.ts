export { GatewayDispatchEvents, GatewayIntentBits, GatewayOpcodes } from '@concord/protocol';
// Re-exported under the names this package has always used; the implementation lives in @concord/snowflake.
export { compare as compareSnowflakes, mergeBySnowflake, sortBySnowflake } from '@concord/snowflake';
export { type BackoffOptions, backoffDelay } from './backoff.js';
export { type FetchGatewayBotOptions, fetchGatewayBot, type GatewayBotInfo } from './fetchGatewayBot.js';
export {
  GatewayClientError,
  type GatewayClientErrorCode,
  GatewayCloseError,
  GatewayRateLimitError,
} from './GatewayClientError.js';
export { GatewayConnection, GatewayConnection as Shard } from './GatewayConnection.js';
export { defaultGatewayConnectionOptions, type GatewayConnectionOptions } from './GatewayConnectionOptions.js';
export type { IdentifyLimits, IdentifyQueue } from './IdentifyQueue.js';
export { InMemoryIdentifyQueue } from './InMemoryIdentifyQueue.js';
export { SendQueue, type SendQueueOptions } from './SendQueue.js';
export {
  ShardManager,
  type ShardManagerEvents,
  type ShardManagerOptions,
  type ShardRange,
  type ShardSessionStore,
  type ShardStatus,
} from './ShardManager.js';
export type * from './types.js';
