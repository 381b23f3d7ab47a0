import { isThenable } from '../isThenable.js';
import type { DetachedSessionStore } from '../ports/DetachedSessionStore.js';
import type { SessionJournal } from '../resume/SessionJournal.js';
import type { LazyMemberLists, Snowflake } from '../types.js';
import { CloseCode } from '../wire/protocol.js';
import type { LiveSession } from './LiveSession.js';
import type { SessionRegistry } from './SessionRegistry.js';

/** What keeping and ending sessions needs from the server. */
export interface SessionKeeperContext {
  readonly registry: SessionRegistry;
  readonly detachedStore: DetachedSessionStore;
  readonly journal: SessionJournal<LiveSession> | undefined;
  readonly lazy: LazyMemberLists | undefined;
  readonly resumeTtl: number;
  /** The session ended in a voice channel of this guild. */
  leaveVoice(session: LiveSession, guildId: Snowflake): Promise<void>;
  /** The session ended here (for good, or to be resumed on another node): what it streams or watches ends. */
  sessionEnded?(session: LiveSession): void;
  /** The user has no session left on this node. */
  lastSessionEnded(session: LiveSession, guilds: Snowflake[]): void;
  reportError(message: string, error: unknown): void;
  debug(message: string, fields: Record<string, unknown>): void;
}

/**
 * A session's life after Identify: detached (its connection gone, kept in the detached-session store for a Resume)
 * or ended for good (out of every index and store, out of voice, offline). Tracks the store writes a drain waits on.
 */
export class SessionKeeper {
  readonly #context: SessionKeeperContext;
  /** Detached sessions whose store `save` has not confirmed yet (`pending`) or failed. */
  readonly #saving = new Map<LiveSession, 'pending' | 'failed'>();
  /** Sessions handed to the store by a drain: closing this node must not delete them there. */
  #handedOver = false;

  constructor(context: SessionKeeperContext) {
    this.#context = context;
  }

  /** Store writes not confirmed yet. */
  get savesPending(): number {
    let pending = 0;
    for (const state of this.#saving.values()) if (state === 'pending') pending++;
    return pending;
  }

  /** Detached sessions whose state is not confirmed stored (write failed or pending). */
  get unsaved(): number {
    return this.#saving.size;
  }

  /** A drain handed the detached sessions over: they stay in the (shared) store when this node closes. */
  handOver(): void {
    this.#handedOver = true;
  }

  /** The session lost its connection with a resumable close: it waits in the store for a Resume. */
  detach(session: LiveSession): void {
    if (session.destroyed) return;
    const { registry, detachedStore, resumeTtl } = this.#context;
    session.detachedAt = Date.now();
    registry.markDetached(session);
    // drain() waits on this: a session has left safely only once the store has it.
    this.#saving.set(session, 'pending');
    const saved = (ok: boolean): void => {
      if (this.#saving.get(session) !== 'pending') return;
      if (ok) this.#saving.delete(session);
      else this.#saving.set(session, 'failed');
    };
    try {
      const result = detachedStore.save(session.sessionId, session, resumeTtl);
      if (isThenable(result)) {
        Promise.resolve(result).then(
          () => saved(true),
          (e) => {
            saved(false);
            this.#context.reportError('session save failed', e);
          },
        );
      } else saved(true);
    } catch (error) {
      saved(false);
      this.#context.reportError('session save failed', error);
    }
  }

  /**
   * Ends a session for good: unsubscribes, leaves voice, goes offline (`announce`). Without `announce` (the server
   * closing, the session taken over elsewhere) it stays in the resume store to be resumed on another node.
   */
  destroy(session: LiveSession, announce = true): void {
    if (session.destroyed) return;
    const context = this.#context;
    session.destroyed = true;
    // Ended for good: out of the resume store too. Otherwise (server closing) it stays there to resume elsewhere.
    context.journal?.release(session, announce);
    const guilds = context.registry.remove(session);
    const connection = session.connection;
    session.connection = null;
    if (connection) connection.session = null;
    // After a drain the detached sessions live on in the (shared) store for another node to resume.
    if (!this.#handedOver || this.#saving.get(session) === 'failed') {
      Promise.resolve(context.detachedStore.delete(session.sessionId)).catch(() => undefined);
    }
    this.#saving.delete(session);
    context.lazy?.unsubscribe(session.sessionId);
    // Go Live streams live on this node only: they end with the session here, whether or not it resumes elsewhere.
    context.sessionEnded?.(session);
    if (announce) {
      for (const [guildId] of session.voice ?? []) {
        void context.leaveVoice(session, guildId).catch(() => undefined);
      }
      if (context.registry.ofUser(session.userId) === undefined) context.lastSessionEnded(session, guilds);
    }
    session.replay.clear();
  }

  /**
   * The resume store refused the session's writes (`fenced`: another node claimed it) or failed: it ends here, and
   * is not removed from the store (another node holds it now, or it is to be resumed).
   */
  lost(session: LiveSession, reason: 'fenced' | 'failed'): void {
    if (session.destroyed) return;
    const connection = session.connection;
    this.#context.journal?.release(session, false);
    this.destroy(session, false);
    if (connection === null || connection.closed) return;
    this.#context.debug('session lost to the resume store', { sessionId: session.sessionId, reason });
    if (reason === 'fenced') connection.sendControl(9, false);
    else connection.close(CloseCode.UnknownError, 'Session store unavailable');
  }
}
