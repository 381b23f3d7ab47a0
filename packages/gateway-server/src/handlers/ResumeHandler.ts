import { isObject } from '../isObject.js';
import { PreparedDispatch } from '../PreparedDispatch.js';
import type { DetachedSessionStore } from '../ports/DetachedSessionStore.js';
import type { SessionJournal } from '../resume/SessionJournal.js';
import type { LiveConnection, LiveSession } from '../session/LiveSession.js';
import type { AuthenticatedUser, Awaitable, GatewayMetrics } from '../types.js';
import { CloseCode } from '../wire/protocol.js';
import { invalidResume } from './invalidResume.js';
import type { ResumeFromStore } from './ResumeFromStore.js';

/** Session ids this server makes (a random UUID's 32 hex digits): a Resume naming anything else cannot be one of ours. */
const SESSION_ID = /^[0-9a-f]{32}$/;

/** What op 6 Resume needs from the server. */
export interface ResumeContext {
  readonly metrics: GatewayMetrics | undefined;
  readonly detachedStore: DetachedSessionStore;
  /** With a resume store: the journal, and the resume of a session this node does not hold. */
  readonly journal: SessionJournal<LiveSession> | undefined;
  readonly fromStore: ResumeFromStore | undefined;
  authenticate(connection: LiveConnection, token: string): Awaitable<AuthenticatedUser | null | undefined>;
  session(sessionId: string): LiveSession | undefined;
  /** The session has a connection again (no longer waits for a Resume). */
  attached(session: LiveSession): void;
  destroy(session: LiveSession, announce?: boolean): void;
  resumed(session: LiveSession, replayed: number, fromStore: boolean): void;
  internalError(connection: LiveConnection, error: unknown): void;
}

/**
 * op 6 Resume of a session this node holds in memory: the new connection takes it over (from a zombie connection or
 * from the detached-session store) and gets what it missed from the replay buffer, then RESUMED. With a resume store
 * every Resume goes to {@link ResumeFromStore}: the store is the truth.
 */
export class ResumeHandler {
  readonly #context: ResumeContext;

  constructor(context: ResumeContext) {
    this.#context = context;
  }

  async resume(connection: LiveConnection, d: unknown): Promise<void> {
    const context = this.#context;
    if (connection.session || connection.authenticating) {
      connection.close(CloseCode.AlreadyAuthenticated, 'Already authenticated');
      return;
    }
    if (
      !isObject(d) ||
      typeof d.token !== 'string' ||
      typeof d.session_id !== 'string' ||
      !(
        d.seq === null ||
        d.seq === undefined ||
        (typeof d.seq === 'number' && Number.isSafeInteger(d.seq) && d.seq >= 0)
      )
    ) {
      connection.close(CloseCode.DecodeError, 'Invalid Resume payload');
      return;
    }
    const seq = (d.seq as number | null | undefined) ?? 0;
    connection.authenticating = true;
    try {
      const auth = await context.authenticate(connection, d.token);
      if (connection.closed) return;
      if (!auth) {
        connection.close(CloseCode.AuthenticationFailed, 'Authentication failed');
        return;
      }
      // Not an id this server could have made: no session to look for, here or in the resume store.
      if (!SESSION_ID.test(d.session_id)) {
        invalidResume(context.metrics, connection);
        return;
      }
      const session = context.session(d.session_id);
      const { journal, fromStore } = context;
      if (journal !== undefined && fromStore !== undefined && (!session || session.userId === auth.user.id)) {
        // The store is the truth: a copy held here may be stale (claimed by another node since) and misses what is
        // not committed yet. Drop it and claim like any node would (replay from the journal, gap from the histories).
        if (session && !session.destroyed) {
          const old = session.connection;
          journal.release(session, false);
          context.destroy(session, false);
          old?.close(CloseCode.UnknownError, 'Session resumed on another connection', 500);
        }
        await fromStore.resume(connection, auth, d.session_id, seq);
        return;
      }
      if (!session || session.destroyed || session.userId !== auth.user.id) {
        invalidResume(context.metrics, connection);
        return;
      }
      if (session.connection) {
        // The client came back before we noticed the old socket die (zombie): the new connection wins.
        const old = session.connection;
        old.session = null;
        session.connection = null;
        old.close(CloseCode.UnknownError, 'Session resumed on another connection', 500);
      } else {
        const taken = await context.detachedStore.take(session.sessionId);
        if (connection.closed) return;
        if (taken === undefined || session.destroyed || session.connection) {
          invalidResume(context.metrics, connection);
          return;
        }
      }
      context.attached(session);
      if (seq > session.seq) {
        context.destroy(session);
        context.metrics?.resume('invalid', 0);
        connection.close(CloseCode.InvalidSeq, 'Invalid seq');
        return;
      }
      const missed = session.replay.since(seq);
      if (!missed) {
        context.destroy(session);
        invalidResume(context.metrics, connection);
        return;
      }
      session.connection = connection;
      connection.session = session;
      connection.burst(() => {
        for (const entry of missed) connection.sendDispatch(entry.dispatch, entry.full, entry.seq);
        session.send(PreparedDispatch.forOne('RESUMED', {}), true);
      });
      context.metrics?.resume('ok', missed.length);
      context.resumed(session, missed.length, false);
    } catch (error) {
      context.internalError(connection, error);
    } finally {
      connection.authenticating = false;
    }
  }
}
