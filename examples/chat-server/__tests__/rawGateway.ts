import WebSocket from 'ws';

// biome-ignore lint/suspicious/noExplicitAny: wire JSON, checked field by field by the assertions.
type Json = any;

export interface Dispatch {
  t: string;
  d: Json;
  s: number;
}

/** A bare gateway session over `ws` for tests: identify, keep every dispatch, wait for one matching a predicate. */
export class RawGateway {
  readonly events: Dispatch[] = [];
  readonly #waiters: { pred: (e: Dispatch) => boolean; resolve: (e: Dispatch) => void }[] = [];
  readonly ws: WebSocket;
  readonly closed: Promise<number>;

  constructor(port: number) {
    this.ws = new WebSocket(`ws://127.0.0.1:${port}/?v=10&encoding=json`);
    this.closed = new Promise((resolve) => this.ws.once('close', (code) => resolve(code)));
    this.ws.on('message', (raw) => {
      const p = JSON.parse(String(raw));
      if (p.op !== 0) return;
      const e = { t: p.t, d: p.d, s: p.s };
      this.events.push(e);
      for (const w of [...this.#waiters]) {
        if (w.pred(e)) {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          w.resolve(e);
        }
      }
    });
  }

  static async identify(
    port: number,
    token: string,
    intents = 1 | 2 | 128 | 256 | 512 | 2048 | 32768,
    presence = true,
  ) {
    const gw = new RawGateway(port);
    await new Promise((resolve, reject) => {
      gw.ws.once('open', resolve);
      gw.ws.once('error', reject);
    });
    gw.ws.send(
      JSON.stringify({
        op: 2,
        d: {
          token,
          intents,
          properties: { os: 'linux', browser: 'test', device: 'test' },
          ...(presence ? { presence: { status: 'online', since: null, activities: [], afk: false } } : {}),
        },
      }),
    );
    await gw.waitFor('GUILD_CREATE');
    return gw;
  }

  waitFor(t: string, pred: (d: Json) => boolean = () => true, timeoutMs = 10_000): Promise<Dispatch> {
    const found = this.events.find((e) => e.t === t && pred(e.d));
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${t}`)), timeoutMs);
      this.#waiters.push({
        pred: (e) => e.t === t && pred(e.d),
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  close(): void {
    this.ws.close(1000);
  }
}
