/**
 * The pluggable interfaces the gateway server is built against, each with the default used when the option is left
 * out. The server's code imports them from here. Broker, Directory, IdentifyThrottle and SessionStartLimiter keep
 * their files at the package root (the adapters in `brokers/`, `members/` and `redis/` import them there); the
 * resume store is part of `resume/`.
 */
export {
  type Broker,
  type BrokerListener,
  type BrokerMessage,
  type DispatchTarget,
  InMemoryBroker,
  type StreamPosition,
} from '../Broker.js';
export { type Directory, InMemoryDirectory } from '../Directory.js';
export { type IdentifyThrottle, InMemoryIdentifyThrottle } from '../IdentifyThrottle.js';
export type { ResumeStore } from '../resume/ResumeStore.js';
export {
  InMemorySessionStartLimiter,
  type SessionStartLimit,
  type SessionStartLimiter,
} from '../SessionStartLimiter.js';
export { type DetachedSessionStore, InMemoryDetachedSessionStore } from './DetachedSessionStore.js';
export { createStaticVoiceAllocator, type VoiceAllocator, type VoiceStateNotice } from './VoiceAllocator.js';
