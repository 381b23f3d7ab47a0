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
   * The frames written for the rest of this tick leave in one socket write at its end: for dispatches a client must
   * read together (a joining session's VOICE_STATE_UPDATE and VOICE_SERVER_UPDATE, see VoiceStateHandler).
   */
  coalesceTick?(): void;
  /** The connection's encoding, when it has one: a payload built for this session alone may be made as JSON text. */
  readonly encodingLabel?: string;
}
