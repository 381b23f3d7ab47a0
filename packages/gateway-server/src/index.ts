export {
  type Broker,
  type BrokerListener,
  type BrokerMessage,
  type DispatchTarget,
  InProcessBroker,
} from './Broker.js';
export { buildGuildCreate } from './buildGuildCreate.js';
export { CloseCode, closeKeepsSession } from './closeCodes.js';
export { type Directory, InMemoryDirectory, type MemberQuery } from './Directory.js';
export { carriesMessageContent, eventIntent, Intent, mayReadContent, stripMessageContent } from './eventIntents.js';
export { createGatewayServer, type DispatchOptions, GatewayServer } from './GatewayServer.js';
export { GatewayServerError, type GatewayServerErrorCode } from './GatewayServerError.js';
export type { GatewayServerOptions } from './GatewayServerOptions.js';
export * from './members/index.js';
export * from './metrics/index.js';
export type { SessionStartLimit } from './SessionStartLimiter.js';
export { InMemorySessionStore, type SessionStore } from './SessionStore.js';
export { shardOf } from './shardOf.js';
export type * from './types.js';
export {
  createStaticVoiceAllocator,
  type VoiceAllocation,
  type VoiceAllocationRequest,
  type VoiceAllocator,
} from './VoiceAllocator.js';
