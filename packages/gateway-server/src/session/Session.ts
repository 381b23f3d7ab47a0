import type { StreamPosition } from '../Broker.js';
import type { PreparedDispatch } from '../PreparedDispatch.js';
import { compareStreamIds } from '../resume/streamId.js';
import { fromEpoch, sinceEpoch } from '../transport/processClock.js';
import type { AuthenticatedUser, PresenceData, SessionInfo, Snowflake, UserData } from '../types.js';
import { GuildIds } from './GuildIds.js';
import { type Rebuildable, ReplayBuffer } from './ReplayBuffer.js';
import type { SessionSink } from './SessionSink.js';

/**
 * Where a session's dispatches go before its sink when the server has a resume store (`resume/SessionJournal`): the
 * journal commits them, then writes them to `session.connection` itself.
 */
export interface DispatchJournal {
  /** `withNext`: written in one socket write with the session's next dispatch (a follower's, see Session.send). */
  append(
    session: Session,
    seq: number,
    dispatch: PreparedDispatch,
    full: boolean,
    position?: StreamPosition,
    withNext?: boolean,
  ): void;
}

/** A dispatch held back while a resume from the store fills the session's gap first. */
export interface PendingDispatch {
  dispatch: PreparedDispatch;
  full: boolean;
  position: StreamPosition | undefined;
}

/** A session's state for resuming across nodes (see the accessors of {@link Session}). */
interface StoreState {
  journal: DispatchJournal | undefined;
  gen: number;
  sentSeq: number;
  cursors: Map<string, string> | undefined;
  pending: PendingDispatch[] | null;
  catchUp: Map<string, string> | null;
}

/** The shard of a session that did not ask for one, or asked for [0, 1] (never written: `shard` is readonly). */
const SINGLE_SHARD: [number, number] = [0, 1];

/**
 * A gateway session: outlives its connection (detached while the client reconnects) until it is resumed, expires or
 * is ended. Numbers every dispatch and keeps the recent ones for Resume. `C` is what it writes to (the server's
 * connection type); the session itself only needs it to be a {@link SessionSink}.
 */
export class Session<C extends SessionSink = SessionSink> implements SessionInfo {
  readonly sessionId: string;
  readonly user: UserData;
  readonly userId: Snowflake;
  readonly intents: number;
  readonly shard: [number, number];
  readonly largeThreshold: number;
  readonly replay: ReplayBuffer;
  /** Guilds (on this session's shard) the session receives events of. */
  readonly guilds = new GuildIds();
  /** Voice channel per guild, for cleanup when the session ends. */
  voice: Map<Snowflake, Snowflake> | undefined;
  presence: PresenceData | undefined;
  seq = 0;
  connection: C | null = null;
  /**
   * When it lost its connection, as an offset from the process epoch (transport/processClock.ts): a `Date.now()`
   * value here would box every session's field as a double once any session had been detached.
   */
  #detachedAt = 0;
  destroyed = false;
  /** `auth.application` when the integrator gave one (else the default is made when read: READY reads it once). */
  readonly #application: AuthenticatedUser['application'];
  /** What resuming across nodes keeps (accessors below); made on first write, so never on the in-memory path. */
  #store: StoreState | undefined;

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
    this.#application = init.auth.application;
    this.intents = init.intents;
    // Nearly every session is on shard [0, 1]: one array for all of them instead of one per session (~64 bytes).
    this.shard = init.shard[0] === 0 && init.shard[1] === 1 ? SINGLE_SHARD : init.shard;
    this.largeThreshold = init.largeThreshold;
    this.replay = new ReplayBuffer(init.replayBufferSize);
  }

  /** When it lost its connection (`Date.now()` time; meaningful while detached). */
  get detachedAt(): number {
    return fromEpoch(this.#detachedAt);
  }
  set detachedAt(ms: number) {
    this.#detachedAt = sinceEpoch(ms);
  }

  /** READY.application: the integrator's, or `{ id: user.id, flags: 0 }`. */
  get application(): NonNullable<AuthenticatedUser['application']> {
    return this.#application ?? { id: this.userId, flags: 0 };
  }

  // Resume across nodes (option `resumeStore`); unset on the in-memory default path. Kept in one object made on first
  // write rather than six fields on every session (~40 bytes per session that never uses them).
  /** Journals every dispatch before it is written; set when the server has a resume store. */
  get journal(): DispatchJournal | undefined {
    return this.#store?.journal;
  }
  set journal(value: DispatchJournal | undefined) {
    Session.#state(this).journal = value;
  }
  /** Fencing generation of this node's copy in the resume store. */
  get gen(): number {
    return this.#store?.gen ?? 0;
  }
  set gen(value: number) {
    Session.#state(this).gen = value;
  }
  /** Highest seq written to the current connection (journaled dispatches are written once committed). */
  get sentSeq(): number {
    return this.#store?.sentSeq ?? 0;
  }
  set sentSeq(value: number) {
    Session.#state(this).sentSeq = value;
  }
  /** Per topic, the last stream id this session has accounted for (delivered, or filtered out). */
  get cursors(): Map<string, string> | undefined {
    return this.#store?.cursors;
  }
  set cursors(value: Map<string, string> | undefined) {
    Session.#state(this).cursors = value;
  }
  /** While a resume on this node fills the gap from the topic histories, live messages wait here. */
  get pending(): PendingDispatch[] | null {
    return this.#store?.pending ?? null;
  }
  set pending(value: PendingDispatch[] | null) {
    Session.#state(this).pending = value;
  }
  /** After such a resume: per topic, the last id already sent from the history (live copies up to it are dropped). */
  get catchUp(): Map<string, string> | null {
    return this.#store?.catchUp ?? null;
  }
  set catchUp(value: Map<string, string> | null) {
    Session.#state(this).catchUp = value;
  }

  // Static: a private instance method would add a brand field to every session.
  static #state(session: Session): StoreState {
    session.#store ??= { journal: undefined, gen: 0, sentSeq: 0, cursors: undefined, pending: null, catchUp: null };
    return session.#store;
  }

  /**
   * Numbers a dispatch, keeps it for Resume and writes it when connected; with a journal, it is written once the
   * journal has committed it (`position` = where the bus keeps it, journaled instead of the payload).
   */
  send(dispatch: PreparedDispatch, full: boolean, position?: StreamPosition): void {
    const seq = ++this.seq;
    this.replay.push(seq, dispatch, full);
    if (this.journal !== undefined) {
      // A follower waiting on this dispatch (a voice join's VOICE_SERVER_UPDATE, Connection.followNext) sends its own
      // now: journaled right behind it, committed with it, and written with it in one socket write. Run when written
      // instead, it would be journaled after the commit and reach the client a commit later.
      const follower = this.connection?.followerOf?.(dispatch);
      this.journal.append(this, seq, dispatch, full, position, follower !== undefined);
      follower?.();
    } else this.connection?.sendDispatch(dispatch, full, seq);
  }

  /**
   * As {@link Session.send} for a payload of this session alone that `source` can build again (READY, GUILD_CREATE):
   * the replay buffer keeps `source` instead of the dispatch, so the payload's objects are garbage once written.
   */
  sendRebuildable(source: Rebuildable, full: boolean): void {
    const seq = ++this.seq;
    const dispatch = source.rebuild(seq);
    this.replay.pushRebuildable(seq, source, full);
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
