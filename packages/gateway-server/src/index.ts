export { addressKey } from './addressKey.js';
export {
  type Broker,
  type BrokerListener,
  type BrokerMessage,
  type DispatchTarget,
  InProcessBroker,
  type StreamPosition,
} from './Broker.js';
export { buildGuildCreate } from './buildGuildCreate.js';
export { type OutgoingCheck, outgoingCheck } from './contract/outgoingCheck.js';
export { type ChannelPermissions, type Directory, InMemoryDirectory, type MemberQuery } from './Directory.js';
export { DispatchEncodeError } from './DispatchEncodeError.js';
export type { DrainOptions, DrainProgress, DrainStats } from './drain.js';
export { carriesMessageContent, eventIntent, Intent, mayReadContent, stripMessageContent } from './eventIntents.js';
export { createGatewayServer, type DispatchOptions, GatewayServer } from './GatewayServer.js';
export { GatewayServerError, type GatewayServerErrorCode } from './GatewayServerError.js';
export { type GatewayServerOptions, gatewayServerDefaults } from './GatewayServerOptions.js';
export type { IdentifyAddressLimit } from './IdentifyAddressLimiter.js';
export { type IdentifyThrottle, InMemoryIdentifyThrottle } from './IdentifyThrottle.js';
export * from './members/index.js';
export * from './metrics/index.js';
export { PresenceError, type PresenceErrorCode } from './PresenceError.js';
export { decodeJournalEntry, encodeJournalEntry, type JournalEntry } from './resume/journalEntryCodec.js';
export { ResumeError, type ResumeErrorCode } from './resume/ResumeError.js';
export type { ClaimedSession, ResumeStore, SessionWrite, TopicTail } from './resume/ResumeStore.js';
export { decodeSessionRecord, encodeSessionRecord, type SessionRecord } from './resume/sessionRecordCodec.js';
export {
  InMemorySessionStartLimiter,
  type SessionStartLimit,
  type SessionStartLimiter,
} from './SessionStartLimiter.js';
export { InMemorySessionStore, type SessionStore } from './SessionStore.js';
// The serializers are at '@concord/gateway-server/serialize' (a subpath keeps this entry small).
export { shardOf } from './shardOf.js';
export type * from './types.js';
export {
  createStaticVoiceAllocator,
  type VoiceAllocation,
  type VoiceAllocationRequest,
  type VoiceAllocator,
  type VoiceMove,
} from './VoiceAllocator.js';
export { MAX_ACTIVITIES, type ValidPresence, validatePresence } from './validatePresence.js';
export { CloseCode, closeKeepsSession } from './wire/protocol.js';
