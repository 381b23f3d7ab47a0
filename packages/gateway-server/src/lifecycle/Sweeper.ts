import type { LiveConnection, LiveSession } from '../session/LiveSession.js';
import { CloseCode } from '../wire/protocol.js';

/** What the liveness sweep needs from the server. */
export interface SweepContext {
  readonly heartbeatInterval: number;
  readonly heartbeatTimeoutFactor: number;
  readonly identifyTimeout: number;
  readonly resumeTtl: number;
  readonly connections: ReadonlySet<LiveConnection>;
  detached(): Iterable<LiveSession>;
  /** A detached session's resume window ran out. */
  expire(session: LiveSession): void;
  /** Housekeeping of the limiters and the session gauges, once per sweep. */
  tick(now: number): void;
}

/**
 * The liveness sweep, a few times per heartbeat interval: closes connections that never identified or went silent
 * (4009), asks quiet ones for a heartbeat (op 1), and ends detached sessions whose resume window passed.
 */
export class Sweeper {
  readonly #context: SweepContext;
  #timer: NodeJS.Timeout | null = null;

  constructor(context: SweepContext) {
    this.#context = context;
  }

  start(): void {
    if (this.#timer) return;
    const { heartbeatInterval, identifyTimeout } = this.#context;
    const tick = Math.max(5, Math.min(heartbeatInterval, identifyTimeout) / 8);
    this.#timer = setInterval(() => this.sweep(), tick);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  sweep(): void {
    const context = this.#context;
    const now = Date.now();
    const interval = context.heartbeatInterval;
    const timeout = interval * context.heartbeatTimeoutFactor;
    for (const connection of context.connections) {
      if (connection.closed) continue;
      // Counted from the open, also while an Identify waits in the throttle's queue or `authenticate` is slow.
      if (!connection.session && now - connection.openedAt > context.identifyTimeout) {
        connection.close(CloseCode.SessionTimedOut, 'Identify timed out');
        continue;
      }
      const silent = now - connection.lastSeen;
      if (silent > timeout) connection.close(CloseCode.SessionTimedOut, 'Heartbeat timed out');
      else if (silent > interval * 1.25 && !connection.heartbeatRequested) {
        connection.heartbeatRequested = true;
        connection.sendControl(1, null);
      }
    }
    for (const session of context.detached()) {
      if (now - session.detachedAt > context.resumeTtl) context.expire(session);
    }
    context.tick(now);
  }
}
