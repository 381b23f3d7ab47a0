import type { AddressInfo } from 'node:net';
import { type Encoding, getEncoding, parseGatewayQuery } from '@concord/protocol';
import {
  createZlibStreamDeflater,
  createZstdStreamDeflater,
  deflatePayload,
  type StreamDeflater,
} from '@concord/protocol/compression';
import { type WebSocket, WebSocketServer } from 'ws';

export interface ClientPayload {
  op: number;
  // biome-ignore lint/suspicious/noExplicitAny: client payloads are free-form in tests
  d: any;
}

interface Session {
  id: string;
  seq: number;
  log: { t: string; d: unknown; s: number }[];
  conn: FakeConnection | null;
}

/** One client connection to the fake gateway, with the encoding/compression the client asked for. */
export class FakeConnection {
  readonly received: ClientPayload[] = [];
  readonly encoding: Encoding;
  readonly compress: string | null;
  readonly query: URLSearchParams;
  session: Session | null = null;
  payloadCompression = false;
  #deflater: StreamDeflater | null;
  #waiters: { op: number | undefined; resolve: (p: ClientPayload) => void }[] = [];
  #cursor = 0;
  closed: Promise<{ code: number }>;

  constructor(
    readonly ws: WebSocket,
    url: string,
  ) {
    const q = parseGatewayQuery(url);
    this.query = new URLSearchParams(url.slice(url.indexOf('?') + 1));
    this.encoding = getEncoding(q.encoding);
    this.compress = q.compress;
    this.#deflater =
      q.compress === 'zlib-stream'
        ? createZlibStreamDeflater()
        : q.compress === 'zstd-stream'
          ? createZstdStreamDeflater()
          : null;
    this.closed = new Promise((resolve) => ws.once('close', (code) => resolve({ code })));
  }

  /** Encodes (and compresses, as the client asked) one payload into the bytes of one WebSocket message. */
  frame(payload: unknown): string | Uint8Array {
    const encoded = this.encoding.encode(payload);
    if (this.#deflater) return this.#deflater.compress(encoded);
    if (this.payloadCompression && typeof encoded === 'string') return deflatePayload(encoded);
    return encoded;
  }

  send(payload: { op: number; d: unknown; s?: number | null; t?: string | null }): void {
    this.sendFrame(this.frame({ s: null, t: null, ...payload }));
  }

  sendFrame(data: string | Uint8Array): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(data, { binary: typeof data !== 'string' });
  }

  hello(interval: number): void {
    this.send({ op: 10, d: { heartbeat_interval: interval } });
  }

  push(payload: ClientPayload): void {
    this.received.push(payload);
    const i = this.#waiters.findIndex((w) => w.op === undefined || w.op === payload.op);
    if (i !== -1) {
      const [waiter] = this.#waiters.splice(i, 1);
      waiter?.resolve(payload);
    }
  }

  /** The next client payload (with `op`, if given) not returned before. */
  next(op?: number): Promise<ClientPayload> {
    for (; this.#cursor < this.received.length; this.#cursor++) {
      const p = this.received[this.#cursor] as ClientPayload;
      if (op === undefined || p.op === op) {
        this.#cursor++;
        return Promise.resolve(p);
      }
    }
    return new Promise((resolve) => {
      this.#waiters.push({
        op,
        resolve: (p) => {
          this.#cursor = this.received.length;
          resolve(p);
        },
      });
    });
  }

  /** Drops the TCP connection without a closing handshake. */
  destroy(): void {
    (this.ws as unknown as { _socket: { destroy(): void } })._socket.destroy();
  }
}

export interface FakeGatewayOptions {
  heartbeatInterval?: number;
  /** Answer heartbeats with op 11 (default true). */
  ack?: boolean;
  /** Send Hello on connect (default true). */
  hello?: boolean;
  /** Replay this many already-acknowledged dispatches before the missed ones on resume (tests dedupe). */
  replayOverlap?: number;
  /** Called for each new connection before the default behaviour; return false to skip the default behaviour. */
  onConnection?: (conn: FakeConnection) => boolean | undefined;
  /** Called for each client payload; return true when handled. */
  onPayload?: (conn: FakeConnection, payload: ClientPayload) => boolean | undefined;
}

/**
 * A scripted gateway: Hello, Identify → READY, Resume → replay + RESUMED, heartbeat ACKs, numbered dispatches with a
 * per-session log; every behaviour can be overridden per test.
 */
export class FakeGateway {
  readonly connections: FakeConnection[] = [];
  readonly sessions = new Map<string, Session>();
  options: FakeGatewayOptions;
  #wss: WebSocketServer;
  #connWaiters: ((c: FakeConnection) => void)[] = [];
  #nextSession = 1;

  private constructor(wss: WebSocketServer, options: FakeGatewayOptions) {
    this.#wss = wss;
    this.options = options;
    wss.on('connection', (ws, req) => this.#onConnection(ws, req.url ?? '/'));
  }

  static async start(options: FakeGatewayOptions = {}): Promise<FakeGateway> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', resolve));
    return new FakeGateway(wss, options);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.#wss.address() as AddressInfo).port}`;
  }

  get last(): FakeConnection {
    return this.connections[this.connections.length - 1] as FakeConnection;
  }

  /** Resolves with the n-th connection (0-based) once it exists. */
  connection(n: number): Promise<FakeConnection> {
    const existing = this.connections[n];
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve) => {
      const check = (c: FakeConnection) => {
        if (this.connections[n] === c) resolve(c);
        else this.#connWaiters.push(check);
      };
      this.#connWaiters.push(check);
    });
  }

  /** Sends a numbered dispatch in `session` (logged for replay even when no connection is attached). */
  dispatch(session: Session, t: string, d: unknown): number {
    session.seq++;
    session.log.push({ t, d, s: session.seq });
    session.conn?.send({ op: 0, t, d, s: session.seq });
    return session.seq;
  }

  /** The session of the latest connection. */
  get session(): Session {
    const s = this.last.session;
    if (!s) throw new Error('no session');
    return s;
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.ws.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #onConnection(ws: WebSocket, url: string): void {
    const conn = new FakeConnection(ws, url);
    this.connections.push(conn);
    const waiters = this.#connWaiters;
    this.#connWaiters = [];
    for (const w of waiters) w(conn);
    ws.on('message', (data, isBinary) => {
      let payload: ClientPayload;
      try {
        payload = conn.encoding.decode(isBinary ? new Uint8Array(data as Buffer) : data.toString()) as ClientPayload;
      } catch {
        ws.close(4002);
        return;
      }
      conn.push(payload);
      if (this.options.onPayload?.(conn, payload)) return;
      this.#default(conn, payload);
    });
    ws.on('close', () => {
      if (conn.session && conn.session.conn === conn) conn.session.conn = null;
    });
    if (this.options.onConnection?.(conn) === false) return;
    if (this.options.hello ?? true) conn.hello(this.options.heartbeatInterval ?? 30_000);
  }

  #default(conn: FakeConnection, payload: ClientPayload): void {
    switch (payload.op) {
      case 1:
        if (this.options.ack ?? true) conn.send({ op: 11, d: null });
        return;
      case 2: {
        const session: Session = { id: `session-${this.#nextSession++}`, seq: 0, log: [], conn };
        this.sessions.set(session.id, session);
        conn.session = session;
        conn.payloadCompression = payload.d.compress === true;
        this.dispatch(session, 'READY', {
          v: 10,
          user: { id: '1', username: 'bot' },
          guilds: [],
          session_id: session.id,
          resume_gateway_url: this.url,
          shard: payload.d.shard,
          application: { id: '1', flags: 0 },
        });
        return;
      }
      case 6: {
        const session = this.sessions.get(payload.d.session_id);
        if (!session) {
          conn.send({ op: 9, d: false });
          return;
        }
        session.conn = conn;
        conn.session = session;
        const from = Math.max(0, payload.d.seq - (this.options.replayOverlap ?? 0));
        for (const entry of session.log) {
          if (entry.s > from) conn.send({ op: 0, t: entry.t, d: entry.d, s: entry.s });
        }
        this.dispatch(session, 'RESUMED', null);
        return;
      }
      default:
    }
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves with the emitted arguments the next time `emitter` emits `event`. */
export function once<T extends unknown[] = unknown[]>(
  // biome-ignore lint/suspicious/noExplicitAny: accepts any typed emitter
  emitter: { once(event: string, fn: (...args: any[]) => void): unknown },
  event: string,
): Promise<T> {
  return new Promise((resolve) => emitter.once(event, (...args: unknown[]) => resolve(args as T)));
}
