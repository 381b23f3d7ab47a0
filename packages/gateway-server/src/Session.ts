import type { Connection } from './Connection.js';
import type { PreparedDispatch } from './PreparedDispatch.js';
import { ReplayBuffer } from './ReplayBuffer.js';
import type { AuthenticatedUser, PresenceData, SessionInfo, Snowflake, UserData } from './types.js';

/**
 * A gateway session: outlives its connection (detached while the client reconnects) until it is resumed, expires or
 * is ended. Numbers every dispatch and keeps the recent ones for Resume.
 */
export class Session implements SessionInfo {
  readonly sessionId: string;
  readonly user: UserData;
  readonly userId: Snowflake;
  readonly application: NonNullable<AuthenticatedUser['application']>;
  readonly intents: number;
  readonly shard: [number, number];
  readonly largeThreshold: number;
  readonly replay: ReplayBuffer;
  /** Guilds (on this session's shard) the session receives events of. */
  readonly guilds = new Set<Snowflake>();
  /** Voice channel per guild, for cleanup when the session ends. */
  voice: Map<Snowflake, Snowflake> | undefined;
  presence: PresenceData | undefined;
  seq = 0;
  connection: Connection | null = null;
  detachedAt = 0;
  destroyed = false;

  constructor(init: {
    sessionId: string;
    auth: AuthenticatedUser;
    intents: number;
    shard: [number, number];
    largeThreshold: number;
    replayBufferSize: number;
  }) {
    this.sessionId = init.sessionId;
    this.user = init.auth.user;
    this.userId = init.auth.user.id;
    this.application = init.auth.application ?? { id: init.auth.user.id, flags: 0 };
    this.intents = init.intents;
    this.shard = init.shard;
    this.largeThreshold = init.largeThreshold;
    this.replay = new ReplayBuffer(init.replayBufferSize);
  }

  /** Numbers a dispatch, keeps it for Resume and writes it when connected. */
  send(dispatch: PreparedDispatch, full: boolean): void {
    const seq = ++this.seq;
    this.replay.push({ seq, dispatch, full });
    this.connection?.sendDispatch(dispatch, full, seq);
  }

  info(): SessionInfo {
    return { sessionId: this.sessionId, userId: this.userId, intents: this.intents, shard: this.shard };
  }
}
