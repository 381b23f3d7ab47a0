import { GatewayConnection } from '@concord/gateway-client';
import { DEMO_EVENT, type DemoMessage } from './world.js';

/** What the demo clients saw, summed over all of them. */
export interface ClientTotals {
  clients: number;
  /** Sessions lost: op 9, or a new Identify (each counted once). */
  lost: number;
  /** READY after the first one: the session was lost and the client identified again. */
  reidentified: number;
  /** op 9 Invalid Session received. */
  invalidated: number;
  resumed: number;
  received: number;
  /** Messages skipped (a gap in a channel's numbering). */
  missing: number;
  /** Messages received twice or out of order. */
  duplicates: number;
}

interface Tracked {
  connection: GatewayConnection;
  ready: number;
  resumed: number;
  invalidated: number;
  received: number;
  missing: number;
  duplicates: number;
  /** Last `n` seen per channel. */
  last: Map<string, number>;
}

/**
 * Clients on our gateway-client that check every demo message arrives exactly once, in order per channel, and count
 * lost sessions (op 9, or a second READY). Users `firstUser..firstUser+count-1`.
 */
export class DemoClients {
  readonly #clients: Tracked[] = [];

  constructor(url: string, count: number, firstUser = 1, debug = false) {
    for (let i = 0; i < count; i++) {
      const connection = new GatewayConnection({
        token: String(firstUser + i),
        intents: 1 | (1 << 9),
        url,
        compression: null,
        // Reconnects are immediate first; the balancer never hands out a draining node, so no backoff is needed.
        backoff: { base: 100, max: 1000 },
      });
      const tracked: Tracked = {
        connection,
        ready: 0,
        resumed: 0,
        invalidated: 0,
        received: 0,
        missing: 0,
        duplicates: 0,
        last: new Map(),
      };
      connection.on('ready', () => tracked.ready++);
      connection.on('resumed', () => tracked.resumed++);
      connection.on('debug', (message) => {
        if (debug && !message.includes('heartbeat')) console.log(`[client ${firstUser + i}] ${message}`);
        if (message.includes('op 9')) tracked.invalidated++;
      });
      connection.on('error', () => undefined);
      connection.on('dispatch', (payload) => {
        if (payload.t !== DEMO_EVENT) return;
        const { channel, n } = payload.d as DemoMessage;
        tracked.received++;
        const last = tracked.last.get(channel);
        if (last !== undefined && n !== last + 1) {
          if (n <= last) tracked.duplicates++;
          else tracked.missing += n - last - 1;
        }
        if (last === undefined || n > last) tracked.last.set(channel, n);
      });
      this.#clients.push(tracked);
    }
  }

  /** Connects every client (a few at a time) and resolves once all are READY. */
  async connect(concurrency = 16): Promise<void> {
    for (let i = 0; i < this.#clients.length; i += concurrency) {
      await Promise.all(this.#clients.slice(i, i + concurrency).map((c) => c.connection.connect()));
    }
  }

  totals(): ClientTotals {
    const t: ClientTotals = {
      clients: this.#clients.length,
      lost: 0,
      reidentified: 0,
      invalidated: 0,
      resumed: 0,
      received: 0,
      missing: 0,
      duplicates: 0,
    };
    for (const c of this.#clients) {
      const reidentified = Math.max(0, c.ready - 1);
      t.lost += Math.max(reidentified, c.invalidated);
      t.reidentified += reidentified;
      t.invalidated += c.invalidated;
      t.resumed += c.resumed;
      t.received += c.received;
      t.missing += c.missing;
      t.duplicates += c.duplicates;
    }
    return t;
  }

  /** Clients whose last message on each channel is the given one (all caught up when it equals `clients`). */
  caughtUp(last: Map<string, number>): number {
    let count = 0;
    for (const c of this.#clients) {
      let ok = true;
      for (const [channel, n] of last) if (c.last.get(channel) !== n) ok = false;
      if (ok) count++;
    }
    return count;
  }

  /** Resolves once every client has the given last messages, or after `timeoutMs` (check `caughtUp` after). */
  async waitCaughtUp(last: Map<string, number>, timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.caughtUp(last) === this.#clients.length) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.caughtUp(last) === this.#clients.length;
  }

  /** Resolves once every client is connected and READY/RESUMED (false if `timeoutMs` passed first). */
  async waitReady(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const ready = () => this.#clients.every((c) => c.connection.status === 'ready');
    while (!ready() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return ready();
  }

  destroy(): void {
    for (const c of this.#clients) c.connection.destroy();
  }
}
