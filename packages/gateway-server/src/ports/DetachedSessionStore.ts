import type { Awaitable } from '../types.js';

/**
 * Keeps sessions that lost their connection so a later Resume (op 6) can pick them up. The server hands over the
 * detached session when the socket closes with a resumable code and `take`s it back on Resume; `take` must be atomic
 * (a session resumes at most once). `T` is the server's session state: the in-memory default stores the object itself
 * (its replay buffer keeps filling while detached); a shared store (Redis, for resume on another node) serialises it.
 */
export interface DetachedSessionStore<T = unknown> {
  save(sessionId: string, session: T, ttlMs: number): Awaitable<void>;
  take(sessionId: string): Awaitable<T | undefined>;
  delete(sessionId: string): Awaitable<void>;
  /** Number of stored sessions (metrics); optional. */
  size?(): number;
}

/** The default store: a map with one expiry timer per session. */
export class InMemoryDetachedSessionStore<T = unknown> implements DetachedSessionStore<T> {
  readonly #sessions = new Map<string, { session: T; timer: NodeJS.Timeout }>();
  readonly #onExpire: ((sessionId: string, session: T) => void) | undefined;

  constructor(options: { onExpire?: (sessionId: string, session: T) => void } = {}) {
    this.#onExpire = options.onExpire;
  }

  save(sessionId: string, session: T, ttlMs: number): void {
    this.delete(sessionId);
    const timer = setTimeout(() => {
      this.#sessions.delete(sessionId);
      this.#onExpire?.(sessionId, session);
    }, ttlMs);
    timer.unref();
    this.#sessions.set(sessionId, { session, timer });
  }

  take(sessionId: string): T | undefined {
    const entry = this.#sessions.get(sessionId);
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    this.#sessions.delete(sessionId);
    return entry.session;
  }

  delete(sessionId: string): void {
    const entry = this.#sessions.get(sessionId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.#sessions.delete(sessionId);
  }

  size(): number {
    return this.#sessions.size;
  }

  /** Drops everything (server close). */
  clear(): void {
    for (const entry of this.#sessions.values()) clearTimeout(entry.timer);
    this.#sessions.clear();
  }
}
