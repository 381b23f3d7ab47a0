import type { StreamPosition } from '../Broker.js';
import type { PreparedDispatch } from '../PreparedDispatch.js';
import { compareStreamIds } from '../resume/streamId.js';
import type { AuthenticatedUser, PresenceData, SessionInfo, Snowflake, UserData } from '../types.js';
import { ReplayBuffer } from './ReplayBuffer.js';
import type { SessionSink } from './SessionSink.js';

/**
 * Where a session's dispatches go before its sink when the server has a resume store (`resume/SessionJournal`): the
 * journal commits them, then writes them to `session.connection` itself.
 */
export interface DispatchJournal {
  append(session: Session, seq: number, dispatch: PreparedDispatch, full: boolean, position?: StreamPosition): void;
}

/** A dispatch held back while a resume from the store fills the session's gap first. */
export interface PendingDispatch {
  dispatch: PreparedDispatch;
  full: boolean;
  position: StreamPosition | undefined;
}

/**
 * A gateway session: outlives its connection (detached while the client reconnects) until it is resumed, expires or
 * is ended. Numbers every dispatch and keeps the recent ones for Resume. `C` is what it writes to (the server's
 * connection type); the session itself only needs it to be a {@link SessionSink}.
 */
export class Session<C extends SessionSink = SessionSink> implements SessionInfo {
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
  connection: C | null = null;
  detachedAt = 0;
  destroyed = false;

  // Resume across nodes (option `resumeStore`); unset on the in-memory default path.
  /** Journals every dispatch before it is written; set when the server has a resume store. */
  journal: DispatchJournal | undefined;
  /** Fencing generation of this node's copy in the resume store. */
  gen = 0;
  /** Highest seq written to the current connection (journaled dispatches are written once committed). */
  sentSeq = 0;
  /** Per topic, the last stream id this session has accounted for (delivered, or filtered out). */
  cursors: Map<string, string> | undefined;
  /** While a resume on this node fills the gap from the topic histories, live messages wait here. */
  pending: PendingDispatch[] | null = null;
  /** After such a resume: per topic, the last id already sent from the history (live copies up to it are dropped). */
  catchUp: Map<string, string> | null = null;

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

  /**
   * Numbers a dispatch, keeps it for Resume and writes it when connected; with a journal, it is written once the
   * journal has committed it (`position` = where the bus keeps it, journaled instead of the payload).
   */
  send(dispatch: PreparedDispatch, full: boolean, position?: StreamPosition): void {
    const seq = ++this.seq;
    this.replay.push(seq, dispatch, full);
    if (this.journal !== undefined) this.journal.append(this, seq, dispatch, full, position);
    else this.connection?.sendDispatch(dispatch, full, seq);
  }

  /**
   * As {@link Session.send} for a payload of this session alone that `build` can make again (READY, GUILD_CREATE): the
   * replay buffer keeps `build` instead of the dispatch, so the payload's objects are garbage once written.
   */
  sendRebuildable(build: () => PreparedDispatch, full: boolean): void {
    const dispatch = build();
    const seq = ++this.seq;
    this.replay.pushRebuildable(seq, build, full);
    if (this.journal !== undefined) this.journal.append(this, seq, dispatch, full);
    else this.connection?.sendDispatch(dispatch, full, seq);
  }

  /**
   * True when a cross-node resume already sent this message from the topic history (see `catchUp`); the topic's
   * catch-up ends at the first message past it.
   */
  alreadySent(position: StreamPosition): boolean {
    const catchUp = this.catchUp;
    if (catchUp === null) return false;
    const until = catchUp.get(position.topic);
    if (until === undefined) return false;
    if (compareStreamIds(position.id, until) <= 0) return true;
    catchUp.delete(position.topic);
    if (catchUp.size === 0) this.catchUp = null;
    return false;
  }

  info(): SessionInfo {
    return { sessionId: this.sessionId, userId: this.userId, intents: this.intents, shard: this.shard };
  }
}
