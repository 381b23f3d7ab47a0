/**
 * `@concord/gateway-server`: what an integrator needs to run a gateway. The server and its options; the pluggable
 * ports (directory, broker, session and resume stores, identify and session-start limits, voice) with their in-memory
 * defaults; the typed dispatch and event maps; the errors; the data shapes the ports speak.
 *
 * The rest is behind subpaths, each loaded only when imported:
 * - `/redis` (needs `ioredis`): `createRedisCluster` and the single Redis factories; `/nats-broker` (needs `nats`)
 * - `/resume`: the resume store's parts (records, journal entries, codecs), for writing a store
 * - `/members`: op 8 member requests and op 14 lazy member lists
 * - `/metrics`: Prometheus metrics and the JSON logger
 * - `/serialize`: Discord's object shapes, for REST answers and an application's own dispatches
 * - `/intents`, `/presence`: the rules the server applies, for code that wants to predict them
 * - `/contract` (tests): outgoing dispatches and REST answers checked against Discord's shapes
 */

// Keys an address as the per-address Identify limit does (IPv6 by /64), for an application's own HTTP limits.
export { addressKey } from './addressKey.js';
// Ports (the pluggable interfaces) come with their in-memory defaults; the Redis ones are at `/redis`.
export { type Broker, type BrokerListener, type BrokerMessage, type DispatchTarget, InMemoryBroker } from './Broker.js';
// The contract hook is a no-op until a test installs the checker (`/contract`); REST handlers report answers to it.
export { outgoingCheck } from './contract/outgoingCheck.js';
export { type ChannelPermissions, type Directory, InMemoryDirectory, type MemberQuery } from './Directory.js';
export { DispatchEncodeError } from './DispatchEncodeError.js';
export type { DispatchOptions } from './dispatch/DispatchOptions.js';
export type { GatewayDispatchEvent, GatewayDispatchMap } from './dispatch/GatewayDispatchMap.js';
export type { GatewayServerDispatch } from './dispatch/GatewayServerDispatch.js';
export type { GatewayServerEvents } from './events/GatewayServerEvents.js';
export { createGatewayServer, GatewayServer } from './GatewayServer.js';
export { GatewayServerError, type GatewayServerErrorCode } from './GatewayServerError.js';
export { defaultGatewayServerOptions, type GatewayServerOptions } from './GatewayServerOptions.js';
export type { IdentifyAddressLimit } from './handlers/IdentifyAddressLimiter.js';
export { type IdentifyThrottle, InMemoryIdentifyThrottle } from './IdentifyThrottle.js';
export type { DrainOptions, DrainProgress, DrainStats } from './lifecycle/drain.js';
export { type DetachedSessionStore, InMemoryDetachedSessionStore } from './ports/DetachedSessionStore.js';
export {
  createStaticVoiceAllocator,
  type StreamAllocation,
  type StreamAllocationRequest,
  type StreamReleaseRequest,
  type VoiceAllocation,
  type VoiceAllocationRequest,
  type VoiceAllocator,
  type VoiceMove,
} from './ports/VoiceAllocator.js';
export { ResumeError, type ResumeErrorCode } from './resume/ResumeError.js';
export type { ResumeStore } from './resume/ResumeStore.js';
export {
  InMemorySessionStartLimiter,
  type SessionStartLimit,
  type SessionStartLimiter,
} from './SessionStartLimiter.js';
export type {
  ActivityData,
  AuthenticateContext,
  AuthenticatedUser,
  ChannelData,
  GatewayLogger,
  GatewayMetrics,
  GuildMemberData,
  GuildSnapshot,
  PresenceData,
  PresenceStatus,
  RoleData,
  SessionInfo,
  Snowflake,
  UserData,
  VoiceStateData,
} from './types.js';
