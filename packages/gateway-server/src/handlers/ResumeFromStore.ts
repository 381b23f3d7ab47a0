import type { BrokerMessage } from '../Broker.js';
import { PreparedDispatch } from '../PreparedDispatch.js';
import type { SessionJournal } from '../resume/SessionJournal.js';
import { compareStreamIds, maxStreamId } from '../resume/streamId.js';
import type { LiveConnection, LiveSession } from '../session/LiveSession.js';
import type { ReplayEntry } from '../session/ReplayBuffer.js';
import { Session } from '../session/Session.js';
import type { AuthenticatedUser, GatewayMetrics } from '../types.js';
import { CloseCode } from '../wire/protocol.js';
import { invalidResume } from './invalidResume.js';

/** What a resume from the store needs from the server. */
export interface ResumeFromStoreContext {
  readonly journal: SessionJournal<LiveSession>;
  readonly metrics: GatewayMetrics | undefined;
  readonly replayBufferSize: number;
  readonly resumeGapLimit: number;
  /** The server closed meanwhile. */
  closed(): boolean;
  /** Puts a claimed session in the registry and its guilds. */
  register(session: LiveSession, guildIds: readonly string[]): void;
  destroy(session: LiveSession, announce?: boolean): void;
  /** Resolves once the broker's subscriptions asked for so far are in effect. */
  brokerReady(): Promise<void>;
  /** The fan-out rule, for one session and a message of a topic history (see fanout/FanOut). */
  wants(session: LiveSession, message: BrokerMessage): Promise<boolean | null>;
  resumed(session: LiveSession, replayed: number, fromStore: boolean): void;
  warn(message: string, fields: Record<string, unknown>): void;
  internalError(connection: LiveConnection, error: unknown): void;
}

/**
 * Resume of a session another node held: claim it (its old holder is fenced out), replay its journal after the
 * client's seq, then fill the gap — what its topics carried while no node served it — from the topic histories,
 * filtered as live delivery would, with new seqs; live messages meanwhile wait and are deduplicated by stream id.
 * Anything needed that the store no longer has means op 9, never a silent gap.
 */
export class ResumeFromStore {
  readonly #context: ResumeFromStoreContext;
  /** Sessions being claimed from the resume store by this node (a second Resume for one of them loses). */
  readonly #claiming = new Set<string>();

  constructor(context: ResumeFromStoreContext) {
    this.#context = context;
  }

  async resume(connection: LiveConnection, auth: AuthenticatedUser, sessionId: string, seq: number): Promise<void> {
    const context = this.#context;
    const { journal, metrics } = context;
    if (this.#claiming.has(sessionId)) {
      invalidResume(metrics, connection);
      return;
    }
    this.#claiming.add(sessionId);
    const store = journal.store;
    let session: LiveSession | undefined;
    const refuse = (gen: number): void => {
      if (session && !session.destroyed) {
        journal.release(session, false);
        context.destroy(session, false);
      }
      Promise.resolve(store.remove(sessionId, gen)).catch(() => undefined);
      invalidResume(metrics, connection);
    };
    try {
      const claimed = await store.claim(sessionId, auth.user.id, journal.ttlMs).catch((error: unknown) => {
        context.warn('resume claim failed', { sessionId, error: String(error) });
        return null;
      });
      if (connection.closed || context.closed()) return;
      if (!claimed || claimed.record.user.id !== auth.user.id) {
        invalidResume(metrics, connection);
        return;
      }
      const { record, entries, gen } = claimed;
      const last = entries.at(-1)?.seq ?? 0;
      if (seq > last) {
        Promise.resolve(store.remove(sessionId, gen)).catch(() => undefined);
        metrics?.resume('invalid', 0);
        connection.close(CloseCode.InvalidSeq, 'Invalid seq');
        return;
      }
      // The journal was trimmed past the client's seq: it cannot be replayed.
      if (entries.length === 0 || entries[0]!.seq > seq + 1) {
        refuse(gen);
        return;
      }
      const missed = entries.filter((entry) => entry.seq > seq);
      const refs = missed.flatMap((entry) => (entry.kind === 'ref' ? [{ topic: entry.topic, id: entry.id }] : []));
      const fetched = await store.fetch(refs);
      if (connection.closed) return;
      if (fetched.some((message) => message === null)) {
        refuse(gen);
        return;
      }
      let next = 0;
      const replay: ReplayEntry[] = missed.map((entry) => {
        if (entry.kind === 'inline') {
          return { seq: entry.seq, full: entry.full, dispatch: PreparedDispatch.forOne(entry.event, entry.data) };
        }
        const message = fetched[next++]!;
        return {
          seq: entry.seq,
          full: entry.full,
          dispatch: new PreparedDispatch(message.event, message.data, message.createdAt),
        };
      });

      const claimedSession: LiveSession = new Session<LiveConnection>({
        sessionId,
        auth: { user: auth.user, application: record.application },
        intents: record.intents,
        shard: record.shard,
        largeThreshold: record.largeThreshold,
        replayBufferSize: context.replayBufferSize,
      });
      session = claimedSession;
      claimedSession.seq = last;
      claimedSession.gen = gen;
      claimedSession.sentSeq = seq;
      const cursors = new Map(claimed.cursors);
      claimedSession.cursors = cursors;
      claimedSession.presence = record.presence ?? undefined;
      if (record.voice.length > 0) claimedSession.voice = new Map(record.voice);
      claimedSession.pending = [];
      for (const entry of replay) claimedSession.replay.push(entry.seq, entry.dispatch, entry.full);
      const topics = [`session:${sessionId}`, `user:${auth.user.id}`, ...record.guilds.map((id) => `guild:${id}`)];
      // A topic without a cursor: the old node died before it knew where the session started there.
      if (topics.some((topic) => !cursors.has(topic))) {
        refuse(gen);
        return;
      }
      const from = topics.map((topic) => cursors.get(topic)!);
      journal.attach(claimedSession, false);
      context.register(claimedSession, record.guilds);
      // Subscribed (live messages now wait in `pending`) before the histories are read: nothing falls between.
      await context.brokerReady();
      const tails = await Promise.all(
        topics.map((topic, i) => store.readAfter(topic, from[i]!, context.resumeGapLimit)),
      );
      if (this.#abandoned(connection, claimedSession)) return;
      if (tails.some((tail) => tail === null)) {
        refuse(gen);
        return;
      }
      const upper = new Map<string, string>();
      const gap: { dispatch: PreparedDispatch; full: boolean; position: { topic: string; id: string } }[] = [];
      // Already journaled although past the cursor (an async directory decided a delivery in an earlier commit than
      // the cursor's): sent once already, with its seq.
      const journaled = new Set(entries.flatMap((e) => (e.kind === 'ref' ? [`${e.topic} ${e.id}`] : [])));
      for (let i = 0; i < topics.length; i++) {
        const topic = topics[i]!;
        let until = from[i]!;
        for (const message of tails[i]!) {
          const position = message.position!;
          until = maxStreamId(until, position.id);
          if (journaled.has(`${topic} ${position.id}`)) continue;
          const full = await context.wants(claimedSession, message);
          if (full === null) continue;
          gap.push({ dispatch: new PreparedDispatch(message.event, message.data, message.createdAt), full, position });
        }
        upper.set(topic, until);
      }
      if (this.#abandoned(connection, claimedSession)) return;
      // Across topics, stream ids follow the Redis clock: the best global order there is.
      gap.sort((a, b) => compareStreamIds(a.position.id, b.position.id));

      claimedSession.connection = connection;
      connection.session = claimedSession;
      for (const entry of replay) journal.replay(claimedSession, entry.seq, entry.dispatch, entry.full);
      for (const item of gap) claimedSession.send(item.dispatch, item.full, item.position);
      const pending = claimedSession.pending;
      claimedSession.pending = null;
      claimedSession.catchUp = upper;
      for (const item of pending) {
        if (item.position !== undefined && claimedSession.alreadySent(item.position)) continue;
        claimedSession.send(item.dispatch, item.full, item.position);
        if (item.position !== undefined) journal.advance(claimedSession, item.position.topic, item.position.id);
      }
      for (const [topic, id] of upper) journal.advance(claimedSession, topic, id);
      claimedSession.send(PreparedDispatch.forOne('RESUMED', {}), true);
      metrics?.resume('ok', replay.length + gap.length);
      context.resumed(claimedSession, replay.length + gap.length, true);
    } catch (error) {
      if (session && !session.destroyed) {
        journal.release(session, false);
        context.destroy(session, false);
      }
      context.internalError(connection, error);
    } finally {
      this.#claiming.delete(sessionId);
    }
  }

  /**
   * A resume from the store that cannot go on: the client left (the claim stands and nothing was committed, so a
   * later Resume claims it again), or another node claimed the session meanwhile (its first commit here was fenced).
   */
  #abandoned(connection: LiveConnection, session: LiveSession): boolean {
    if (!connection.closed && !session.destroyed) return false;
    if (!session.destroyed) {
      this.#context.journal.release(session, false);
      this.#context.destroy(session, false);
    } else if (!connection.closed) invalidResume(this.#context.metrics, connection);
    return true;
  }
}
