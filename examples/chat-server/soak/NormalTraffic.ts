import { request } from 'node:http';
import WebSocket from 'ws';
import { GENERAL_TEXT_ID } from '../src/createChatServer.js';
import { percentile } from './percentile.js';

export interface NormalTrafficOptions {
  port: number;
  /** Gateway sessions that only listen. */
  listeners: number;
  /** Members who post over REST, one message every 1.2 s each (under the 5 per 5 s per channel limit). */
  posters: number;
}

export interface PhaseFigures {
  phase: string;
  messages: number;
  deliveries: number;
  /** Deliveries a listener never got, of accepted messages posted at least 5 s before the figures were taken. */
  missing: number;
  deliveryP50Ms: number;
  deliveryP99Ms: number;
  postP50Ms: number;
  postP99Ms: number;
  postFailures: number;
}

interface Sent {
  phase: string;
  at: number;
  received: number;
  /** The POST was answered 200 (a refused one is counted in `postFailures`, not as missing deliveries). */
  accepted: boolean;
}

const INTENTS = 1 | 512 | 32768; // GUILDS | GUILD_MESSAGES | MESSAGE_CONTENT

/**
 * The well-behaved side of the soak test: listeners on the gateway (JSON, heartbeating as clients do) and members
 * posting over REST, each from a loopback address of its own (127.0.1.x, 127.0.2.x) as users behind their own
 * addresses are, so the per-address limits stay the defaults. Every posted message is timed from the POST to its MESSAGE_CREATE at each listener, per phase.
 */
export class NormalTraffic {
  readonly #options: NormalTrafficOptions;
  readonly #sockets: WebSocket[] = [];
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #sent = new Map<string, Sent>();
  readonly #delivery = new Map<string, number[]>();
  readonly #post = new Map<string, number[]>();
  readonly #postFailures = new Map<string, number>();
  /** Listener closes (a well-behaved client must never be closed by the server). */
  readonly closes: number[] = [];
  phase = 'warmup';
  #seq = 0;

  constructor(options: NormalTrafficOptions) {
    this.#options = options;
  }

  async start(): Promise<void> {
    for (let i = 0; i < this.#options.listeners; i++)
      this.#sockets.push(await this.#listen(`soak-listener-${i}`, `127.0.1.${1 + i}`));
    // Posters become members (and thus authors) on their first request.
    for (let p = 0; p < this.#options.posters; p++) {
      const token = `soak-poster-${p}`;
      const address = `127.0.2.${1 + p}`;
      await this.#get('/users/@me', token, address);
      const timer = setTimeout(
        () => {
          const every = setInterval(() => this.#postOne(token, address), 1200);
          this.#timers.push(every);
          this.#postOne(token, address);
        },
        Math.round((1000 * p) / this.#options.posters),
      );
      this.#timers.push(timer);
    }
  }

  /** Figures of one phase; `settledBefore` limits the missing count to messages that had time to arrive. */
  figures(phase: string, settledBefore = performance.now() - 5000): PhaseFigures {
    const sent = [...this.#sent.values()].filter((s) => s.phase === phase);
    const expected = this.#options.listeners;
    return {
      phase,
      messages: sent.length,
      deliveries: sent.reduce((n, s) => n + s.received, 0),
      missing: sent
        .filter((s) => s.accepted && s.at < settledBefore)
        .reduce((n, s) => n + Math.max(0, expected - s.received), 0),
      deliveryP50Ms: round(percentile(this.#delivery.get(phase) ?? [], 0.5)),
      deliveryP99Ms: round(percentile(this.#delivery.get(phase) ?? [], 0.99)),
      postP50Ms: round(percentile(this.#post.get(phase) ?? [], 0.5)),
      postP99Ms: round(percentile(this.#post.get(phase) ?? [], 0.99)),
      postFailures: this.#postFailures.get(phase) ?? 0,
    };
  }

  stop(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    for (const ws of this.#sockets) ws.terminate();
  }

  #listen(token: string, localAddress: string): Promise<WebSocket> {
    const ws = new WebSocket(`ws://127.0.0.1:${this.#options.port}/?v=10&encoding=json`, { localAddress });
    ws.once('close', (code) => this.closes.push(code));
    return new Promise((resolve, reject) => {
      ws.once('error', reject);
      ws.on('message', (raw) => {
        const now = performance.now();
        const payload = JSON.parse(String(raw));
        if (payload.op === 10) {
          const interval = payload.d.heartbeat_interval as number;
          const beat = setInterval(() => ws.readyState === ws.OPEN && ws.send('{"op":1,"d":null}'), interval);
          this.#timers.push(beat);
          ws.send(
            JSON.stringify({ op: 2, d: { token, intents: INTENTS, properties: { os: 'linux', browser: 'soak' } } }),
          );
        } else if (payload.op === 0 && payload.t === 'READY') {
          resolve(ws);
        } else if (payload.op === 0 && payload.t === 'MESSAGE_CREATE') {
          const sent = this.#sent.get(payload.d.content as string);
          if (!sent) return;
          sent.received++;
          pushTo(this.#delivery, sent.phase, now - sent.at);
        }
      });
    });
  }

  #postOne(token: string, localAddress: string): void {
    const content = `soak ${++this.#seq}`;
    const phase = this.phase;
    const at = performance.now();
    const sent: Sent = { phase, at, received: 0, accepted: false };
    this.#sent.set(content, sent);
    const body = JSON.stringify({ content });
    const req = request(
      {
        host: '127.0.0.1',
        localAddress,
        port: this.#options.port,
        method: 'POST',
        path: `/api/v10/channels/${GENERAL_TEXT_ID}/messages`,
        headers: {
          Authorization: token,
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) sent.accepted = true;
          else this.#postFailures.set(phase, (this.#postFailures.get(phase) ?? 0) + 1);
          pushTo(this.#post, phase, performance.now() - at);
        });
      },
    );
    req.on('error', () => this.#postFailures.set(phase, (this.#postFailures.get(phase) ?? 0) + 1));
    req.end(body);
  }

  #get(path: string, token: string, localAddress: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          localAddress,
          port: this.#options.port,
          path: `/api/v10${path}`,
          headers: { Authorization: token },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }
}

function pushTo(lists: Map<string, number[]>, key: string, value: number): void {
  const list = lists.get(key);
  if (list) list.push(value);
  else lists.set(key, [value]);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
