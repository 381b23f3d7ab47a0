import type { PreparedDispatch } from '../PreparedDispatch.js';

/**
 * Where a session's dispatches are written: its connection, seen from the session. Kept this small so a session (and
 * the journal writing on its behalf) does not depend on the transport.
 */
export interface SessionSink {
  /** Writes one numbered dispatch (`full` false = message content removed). */
  sendDispatch(dispatch: PreparedDispatch, full: boolean, seq: number): void;
  /** Writes what the client asked for (READY and its GUILD_CREATEs, a replay) past the send-buffer bound. */
  burst(write: () => void): void;
  /**
   * Right after the next dispatch written here that `matches`, `follow` runs, and what it sends leaves in the same
   * socket write: dispatches a client must read together (a joining session's own VOICE_STATE_UPDATE, then its
   * VOICE_SERVER_UPDATE: see VoiceStateHandler). `unfollow` drops it if it is still waiting.
   */
  followNext?(matches: (dispatch: PreparedDispatch) => boolean, follow: () => void): void;
  unfollow?(follow: () => void): void;
  /**
   * The follower waiting on `dispatch`, taken off the connection (undefined when none): with a resume journal the
   * session runs it when it journals `dispatch`, so that what it sends is committed with it and written right after it
   * (Session.send).
   */
  followerOf?(dispatch: PreparedDispatch): (() => void) | undefined;
  /** The frames written for the rest of this tick leave in one socket write (Connection.coalesceTick). */
  coalesceTick?(): void;
  /** The connection's encoding, when it has one: a payload built for this session alone may be made as JSON text. */
  readonly encodingLabel?: string;
}
