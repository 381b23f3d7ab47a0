import WebSocket from 'ws';

// biome-ignore lint/suspicious/noExplicitAny: wire JSON, read field by field by the assertions.
type Json = any;

export interface Dispatch {
  t: string;
  d: Json;
}

/** GUILDS | GUILD_MEMBERS | GUILD_MESSAGES | MESSAGE_CONTENT */
export const USER_INTENTS = 1 | 2 | 512 | 32768;

/** A bare gateway session over `ws`: identifies, heartbeats, keeps every dispatch, waits (bounded) for one. */
export class GatewayClient {
  readonly events: Dispatch[] = [];
  readonly #waiters = new Set<{ match: (e: Dispatch) => boolean; resolve: (e: Dispatch) => void }>();
  readonly #ws: WebSocket;
  #heartbeat: NodeJS.Timeout | undefined;
  #seq: number | null = null;

  private constructor(url: string) {
    this.#ws = new WebSocket(`${url}/?v=10&encoding=json`);
    this.#ws.on('message', (raw) => {
      const p = JSON.parse(String(raw)) as { op: number; t?: string; d: Json; s?: number | null };
      if (typeof p.s === 'number') this.#seq = p.s;
      if (p.op === 10) {
        this.#heartbeat = setInterval(() => this.#send({ op: 1, d: this.#seq }), p.d.heartbeat_interval);
        this.#heartbeat.unref();
      }
      if (p.op !== 0 || !p.t) return;
      const e = { t: p.t, d: p.d };
      this.events.push(e);
      for (const w of [...this.#waiters]) if (w.match(e)) w.resolve(e);
    });
  }

  /** Connects to `url` (`http://…` or `ws://…` of a node), identifies with `token`, resolves at READY. */
  static async identify(url: string, token: string, intents = USER_INTENTS): Promise<GatewayClient> {
    const client = new GatewayClient(url.replace(/^http/, 'ws'));
    await new Promise<void>((resolve, reject) => {
      client.#ws.once('open', () => resolve());
      client.#ws.once('error', reject);
    });
    client.#send({
      op: 2,
      d: { token, intents, properties: { os: 'linux', browser: 'concord-test', device: 'concord-test' } },
    });
    await client.waitFor('READY');
    return client;
  }

  /** The first dispatch `t` (already received or to come) whose data passes `match`; rejects after `timeoutMs`. */
  waitFor(t: string, match: (d: Json) => boolean = () => true, timeoutMs = 10_000): Promise<Dispatch> {
    const seen = this.events.find((e) => e.t === t && match(e.d));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        match: (e: Dispatch) => e.t === t && match(e.d),
        resolve: (e: Dispatch) => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve(e);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(
          new Error(`no ${t} matching within ${timeoutMs} ms; received: ${this.events.map((e) => e.t).join(', ')}`),
        );
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Contents of the MESSAGE_CREATEs received so far. */
  messages(): string[] {
    return this.events.filter((e) => e.t === 'MESSAGE_CREATE').map((e) => e.d.content as string);
  }

  #send(payload: unknown): void {
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify(payload));
  }

  close(): void {
    clearInterval(this.#heartbeat);
    this.#ws.close(1000);
  }
}
