import type { CompressionLabel, EncodingLabel, SessionInfo, UserData } from '../types.js';

/**
 * The events a `GatewayServer` emits, name → listener arguments (the `ClientEvents` shape of discord.js):
 * `server.on('sessionIdentified', (session) => …)` is typed from here. Listeners run synchronously on the server's
 * hot paths; they should hand anything slow to a queue. A listener that throws is reported as `error`, never thrown
 * into the connection it came from.
 *
 * Sessions are the ones of this node: in a cluster each node emits the events of the sessions it holds.
 */
export interface GatewayServerEvents {
  /**
   * A WebSocket connection was accepted (upgrade done, encoding and compression negotiated). No session yet: it gets
   * one with Identify (`sessionIdentified`) or takes one back with Resume (`sessionResumed`).
   */
  sessionOpened: [
    connection: {
      /** The peer's address as the socket sees it (behind a proxy, the proxy's). */
      remoteAddress: string;
      encoding: EncodingLabel;
      compression: CompressionLabel;
    },
  ];
  /** An Identify succeeded: a new session, READY sent. */
  sessionIdentified: [session: SessionInfo & { user: UserData }];
  /**
   * A Resume succeeded and the missed dispatches were replayed. `fromStore`: the session was claimed from the resume
   * store (it was held by another node, or by this one before a restart), not taken from this node's memory.
   */
  sessionResumed: [session: SessionInfo & { replayed: number; fromStore: boolean }];
  /**
   * A session's connection ended, or the session did. `resumable`: the session waits for a Resume (`resumeTtl`), else
   * it is gone. `code` is the close code sent or received (1006 for a dropped socket), or null when no connection
   * closed: the server ended the session with op 9 Invalid Session (`invalidateSession(id, false)`, the connection
   * stays open for a new Identify), or a session reported `resumable: true` was not resumed within `resumeTtl` (it is
   * reported a second time, now `resumable: false`). `resumable: false` means gone from this node, reported once; not
   * reported: sessions still detached when the server closes, and sessions lost to the resume store.
   */
  sessionClosed: [session: SessionInfo & { code: number | null; resumable: boolean }];
  /**
   * A connection's send buffer passed `maxBufferedBytes`: it is closed with 4000 (resumable) and its session keeps
   * what it misses for the Resume that follows. `session` is null for a connection not yet identified.
   */
  backpressure: [event: { session: SessionInfo | null; bufferedBytes: number }];
  /**
   * Something failed that the server survives (a broker publish, a directory or store call, a dispatch that could not
   * be encoded, a throwing listener). `message` says what (as the log line does); the connection or session concerned,
   * when there is one, is named in `sessionId`.
   */
  error: [error: unknown, context: { message: string; sessionId?: string }];
}
