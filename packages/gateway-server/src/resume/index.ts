/**
 * `@concord/gateway-server/resume`: what a resume store is made of, for writing one (the Redis one is at `/redis`).
 * The server journals each session's dispatches through a `ResumeStore` and claims a session from it when a Resume
 * names one this node does not hold.
 */
export type { StreamPosition } from '../Broker.js';
export { decodeJournalEntry, encodeJournalEntry, type JournalEntry } from './journalEntryCodec.js';
export { ResumeError, type ResumeErrorCode } from './ResumeError.js';
export type { ClaimedSession, ResumeStore, SessionWrite, TopicTail } from './ResumeStore.js';
export { decodeSessionRecord, encodeSessionRecord, type SessionRecord } from './sessionRecordCodec.js';
