import type { BrokerMessage, StreamPosition } from '../Broker.js';
import type { Awaitable } from '../types.js';
import type { JournalEntry } from './journalEntryCodec.js';
import type { SessionRecord } from './sessionRecordCodec.js';

/** What one session writes in one commit (one event-loop tick's worth). */
export interface SessionWrite {
  sessionId: string;
  /** Owner of the session: a claim by anyone else is refused before it fences anything. */
  userId: string;
  /** Fencing token: the write applies only while the stored generation is this one. */
  gen: number;
  /** First write of a new session: (re)creates the record at `gen` instead of checking it. */
  create: boolean;
  /** Reset the TTLs (done on create, on claim and by the periodic refresh; other commits leave them). */
  refresh: boolean;
  /** Encoded {@link SessionRecord}, when it changed; null = unchanged. */
  record: string | null;
  /** Per-topic cursors to store: the last stream id of the topic this session has accounted for. */
  cursors: [topic: string, id: string][];
  /** Encoded {@link JournalEntry}s to append, in seq order. */
  entries: string[];
}

/** A detached session as another node left it, taken over by a claim. */
export interface ClaimedSession {
  gen: number;
  record: SessionRecord;
  cursors: Map<string, string>;
  /** The journal, oldest first (at most `replayBufferSize` entries). */
  entries: JournalEntry[];
}

/** Messages of a topic after a cursor; null when some were trimmed away (the gap cannot be filled). */
export type TopicTail = BrokerMessage[] | null;

/**
 * Shared session state for resume on any node (option `resumeStore`). Structural: `createRedisResumeStore` (subpath
 * `@concord/gateway-server/redis`) implements it over the same Redis as the Redis broker's history.
 */
export interface ResumeStore {
  /**
   * Applies the writes of many sessions, each fenced by its generation, journals trimmed to `maxEntries` and, for
   * `create`/`refresh` writes, the record and journal TTLs reset to `ttlMs`. Resolves with the ids of the sessions whose generation moved on (another
   * node claimed them): nothing was written for those.
   */
  commit(writes: SessionWrite[], ttlMs: number, maxEntries: number): Promise<string[]>;
  /**
   * Takes a session of `userId` over: bumps its generation (fencing out the node that held it) and returns its state,
   * or null when there is no such session of that user. Invalid stored data rejects with a `ResumeError`.
   */
  claim(sessionId: string, userId: string, ttlMs: number): Promise<ClaimedSession | null>;
  /** Deletes a session, if still at `gen`. */
  remove(sessionId: string, gen: number): Awaitable<void>;
  /** The id of the newest message of a topic's history, `0-0` when it has none. */
  topicHead(topic: string): Promise<string>;
  /** The messages of a topic after `after`, at most `limit` (more = null, as when trimmed). */
  readAfter(topic: string, after: string, limit: number): Promise<TopicTail>;
  /** Looks up messages by position; null for those no longer kept. */
  fetch(positions: StreamPosition[]): Promise<(BrokerMessage | null)[]>;
  close?(): Awaitable<void>;
}
