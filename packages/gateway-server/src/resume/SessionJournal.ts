import type { StreamPosition } from '../Broker.js';
import type { PreparedDispatch } from '../PreparedDispatch.js';
import type { DispatchJournal, Session } from '../session/Session.js';
import { encodeJournalEntry } from './journalEntryCodec.js';
import type { ResumeStore, SessionWrite } from './ResumeStore.js';
import { encodeSessionRecord } from './sessionRecordCodec.js';
import { maxStreamId } from './streamId.js';

export interface JournalHost<S extends Session = Session> {
  /** The store refused a session's writes (`fenced`: another node claimed it) or failed; it must end here. */
  onLost(session: S, reason: 'fenced' | 'failed'): void;
  onError(message: string, error: unknown): void;
  /** Resolves once the broker's subscriptions asked for so far are in effect (topic heads are read after it). */
  brokerReady(): Promise<void>;
}

interface Item<S extends Session> {
  session: S;
  seq: number;
  dispatch: PreparedDispatch;
  full: boolean;
  /** Encoded journal entry; null = already journaled (a resume replay), only to be written. */
  entry: string | null;
  /** Asked for by the client (READY, GUILD_CREATE, a replay…): written as a burst, past the buffer bound. */
  burst: boolean;
  /** Leaves in one socket write with the session's next item (DispatchJournal.append). */
  withNext: boolean;
}

interface Dirty {
  create: boolean;
  refresh: boolean;
  record: boolean;
  cursors: Set<string> | null;
}

/**
 * Write-ahead journal of the sessions of one node. Every dispatch is queued with its seq; once per event-loop tick the
 * queue, the changed records and cursors go to the store in one commit (one round trip, one commit in flight at a
 * time, so a busy node batches more), and only when it succeeded are the dispatches written to their sockets, in seq
 * order. So a client never sees a seq the store does not have: another node resuming it continues from there.
 */
export class SessionJournal<S extends Session = Session> implements DispatchJournal {
  readonly store: ResumeStore;
  readonly ttlMs: number;
  readonly maxEntries: number;
  readonly #host: JournalHost<S>;
  #queue: Item<S>[] = [];
  #dirty = new Map<S, Dirty>();
  #removals: [string, number][] = [];
  readonly #sessions = new Set<S>();
  /** Last stream id seen per topic on this node: where a session joining the topic starts accounting. */
  readonly #heads = new Map<string, string>();
  readonly #waiting = new Map<string, Set<S>>();
  #scheduled = false;
  #busy = false;
  #idle: (() => void)[] = [];
  readonly #refreshTimer: NodeJS.Timeout;

  constructor(init: { store: ResumeStore; resumeTtl: number; maxEntries: number; host: JournalHost<S> }) {
    this.store = init.store;
    this.#host = init.host;
    this.maxEntries = init.maxEntries;
    // Idle sessions are refreshed every quarter TTL; the stored TTL covers that period on top of `resumeTtl`, so a
    // session stays resumable for at least `resumeTtl` after its node died.
    const refreshMs = Math.max(250, Math.floor(init.resumeTtl / 4));
    this.ttlMs = init.resumeTtl + refreshMs;
    this.#refreshTimer = setInterval(() => this.#refresh(), refreshMs);
    this.#refreshTimer.unref();
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** Starts journaling a session: a new one (`create`) or one claimed from the store. */
  attach(session: S, create: boolean): void {
    session.journal = this;
    session.cursors ??= new Map();
    if (create) session.gen = 1;
    this.#sessions.add(session);
    const dirty = this.#mark(session);
    dirty.create = create;
    dirty.refresh = true;
    dirty.record = true;
  }

  /** Stops journaling a session; `remove` deletes it from the store (ended for good, not taken over elsewhere). */
  release(session: S, remove: boolean): void {
    if (!this.#sessions.delete(session)) return;
    this.#dirty.delete(session);
    for (const waiting of this.#waiting.values()) waiting.delete(session);
    if (remove) {
      this.#removals.push([session.sessionId, session.gen]);
      this.#schedule();
    }
  }

  append(
    session: S,
    seq: number,
    dispatch: PreparedDispatch,
    full: boolean,
    position?: StreamPosition,
    withNext = false,
  ): void {
    const entry =
      position !== undefined
        ? encodeJournalEntry({ seq, full, kind: 'ref', topic: position.topic, id: position.id })
        : encodeJournalEntry({ seq, full, kind: 'inline', event: dispatch.event, data: dispatch.data });
    this.#queue.push({ session, seq, dispatch, full, entry, burst: position === undefined, withNext });
    this.#schedule();
  }

  /** Queues an already journaled dispatch for writing (a resume replay), in order with what follows it. */
  replay(session: S, seq: number, dispatch: PreparedDispatch, full: boolean): void {
    this.#queue.push({ session, seq, dispatch, full, entry: null, burst: true, withNext: false });
    this.#schedule();
  }

  /** The session's record (guilds, presence, voice channels) changed. */
  touch(session: S): void {
    if (this.#sessions.has(session)) this.#mark(session).record = true;
  }

  /** The session has accounted for the topic's messages up to `id`. */
  advance(session: S, topic: string, id: string): void {
    const cursors = session.cursors;
    if (cursors === undefined) return;
    const current = cursors.get(topic);
    const next = maxStreamId(current, id);
    if (next === current) return;
    cursors.set(topic, next);
    const dirty = this.#mark(session);
    if (dirty.cursors === null) dirty.cursors = new Set();
    dirty.cursors.add(topic);
  }

  /** A message of a topic reached this node. */
  seen(topic: string, id: string): void {
    this.#heads.set(topic, maxStreamId(this.#heads.get(topic), id));
  }

  /**
   * A session listens to a topic from now on. Its cursor starts at the node's head for the topic: every later message
   * reaches this node through its subscription. A node new to the topic reads the head once its subscription is in
   * effect; until then the session has no cursor there (and a resume elsewhere is refused rather than guessed).
   */
  track(session: S, topic: string): void {
    if (session.cursors?.has(topic)) return;
    const head = this.#heads.get(topic);
    if (head !== undefined) {
      this.advance(session, topic, head);
      return;
    }
    let waiting = this.#waiting.get(topic);
    if (waiting) {
      waiting.add(session);
      return;
    }
    waiting = new Set([session]);
    this.#waiting.set(topic, waiting);
    this.#host
      .brokerReady()
      .then(() => this.store.topicHead(topic))
      .then(
        (head) => {
          if (this.#waiting.get(topic) !== waiting) return;
          this.#waiting.delete(topic);
          this.seen(topic, head);
          const current = this.#heads.get(topic)!;
          for (const s of waiting) if (!s.destroyed) this.advance(s, topic, current);
        },
        (error) => {
          if (this.#waiting.get(topic) === waiting) this.#waiting.delete(topic);
          this.#host.onError('reading a topic head failed', error);
        },
      );
  }

  /** The node no longer listens to a topic: its head is stale from now on. */
  forget(topic: string): void {
    this.#heads.delete(topic);
    this.#waiting.delete(topic);
  }

  /** Resolves once everything queued so far is committed (and written). */
  flushed(): Promise<void> {
    if (!this.#busy && !this.#scheduled && this.#queue.length === 0 && this.#dirty.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async close(): Promise<void> {
    clearInterval(this.#refreshTimer);
    await this.flushed();
  }

  #mark(session: S): Dirty {
    let dirty = this.#dirty.get(session);
    if (!dirty) {
      dirty = { create: false, refresh: false, record: false, cursors: null };
      this.#dirty.set(session, dirty);
      this.#schedule();
    }
    return dirty;
  }

  #refresh(): void {
    for (const session of this.#sessions) this.#mark(session).refresh = true;
  }

  #schedule(): void {
    if (this.#scheduled || this.#busy) return;
    this.#scheduled = true;
    setImmediate(this.#run);
  }

  readonly #run = (): void => {
    this.#scheduled = false;
    const items = this.#queue;
    const dirty = this.#dirty;
    const removals = this.#removals;
    this.#queue = [];
    this.#dirty = new Map();
    this.#removals = [];
    const writes = new Map<S, SessionWrite>();
    const writeOf = (session: S): SessionWrite => {
      let write = writes.get(session);
      if (!write) {
        write = {
          sessionId: session.sessionId,
          userId: session.userId,
          gen: session.gen,
          create: false,
          refresh: false,
          record: null,
          cursors: [],
          entries: [],
        };
        writes.set(session, write);
      }
      return write;
    };
    for (const [session, d] of dirty) {
      if (session.destroyed) continue;
      const write = writeOf(session);
      write.create = d.create;
      write.refresh = d.refresh;
      if (d.record) write.record = encodeSessionRecord(recordOf(session));
      if (d.cursors) for (const topic of d.cursors) write.cursors.push([topic, session.cursors!.get(topic)!]);
    }
    for (const item of items) {
      if (item.entry !== null && !item.session.destroyed) writeOf(item.session).entries.push(item.entry);
    }
    if (writes.size === 0 && removals.length === 0) {
      this.#written(items, new Set());
      this.#settle();
      return;
    }
    this.#busy = true;
    const sessions = [...writes.keys()];
    this.store
      .commit([...writes.values()], this.ttlMs, this.maxEntries)
      .then(
        (lost) => {
          const lostIds = new Set(lost);
          const out = new Set<S>();
          for (const session of sessions) {
            if (lostIds.has(session.sessionId)) {
              out.add(session);
              this.#host.onLost(session, 'fenced');
            }
          }
          this.#written(items, out);
        },
        (error) => {
          this.#host.onError('journal commit failed', error);
          // Nothing of this batch reached a socket and no cursor moved: a resume (here or elsewhere) rebuilds it.
          for (const session of sessions) this.#host.onLost(session, 'failed');
        },
      )
      .then(() => Promise.all(removals.map(([id, gen]) => this.store.remove(id, gen))))
      .catch((error) => this.#host.onError('removing a session failed', error))
      .finally(() => {
        this.#busy = false;
        this.#settle();
      });
  };

  #written(items: Item<S>[], lost: Set<S>): void {
    for (const { session, seq, dispatch, full, burst, withNext } of items) {
      if (session.destroyed || lost.has(session)) continue;
      const connection = session.connection;
      if (connection === null || seq <= session.sentSeq) continue;
      session.sentSeq = seq;
      // The next item of this session (queued in the same tick, so in this batch) is written in this loop too.
      if (withNext) connection.coalesceTick?.();
      if (burst) connection.burst(() => connection.sendDispatch(dispatch, full, seq));
      else connection.sendDispatch(dispatch, full, seq);
    }
  }

  #settle(): void {
    if (this.#queue.length > 0 || this.#dirty.size > 0 || this.#removals.length > 0) {
      this.#schedule();
      return;
    }
    const idle = this.#idle;
    this.#idle = [];
    for (const resolve of idle) resolve();
  }
}

function recordOf(session: Session) {
  return {
    sessionId: session.sessionId,
    user: session.user,
    application: session.application,
    intents: session.intents,
    shard: session.shard,
    largeThreshold: session.largeThreshold,
    guilds: [...session.guilds],
    presence: session.presence ?? null,
    voice: session.voice ? [...session.voice] : [],
  };
}
