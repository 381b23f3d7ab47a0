import { getEncoding } from '@concord/protocol';
import {
  createZlibStreamInflater,
  createZstdStreamInflater,
  inflatePayload,
  type StreamInflater,
} from '@concord/protocol/compression';
import WebSocket from 'ws';
import { InMemoryDirectory } from '../src/Directory.js';
import { createGatewayServer, type GatewayServer } from '../src/GatewayServer.js';
import type { GatewayServerOptions } from '../src/GatewayServerOptions.js';
import type { GuildMemberData, GuildSnapshot, UserData } from '../src/types.js';

// biome-ignore lint/suspicious/noExplicitAny: test payloads are read field by field
type Any = any;

export interface Payload {
  op: number;
  d: Any;
  s: number | null;
  t: string | null;
}

export const ALL_NON_PRIVILEGED = (1 << 0) | (1 << 7) | (1 << 9) | (1 << 12);
export const GUILD_PRESENCES = 1 << 8;
export const MESSAGE_CONTENT = 1 << 15;
export const GUILD_MEMBERS = 1 << 1;

// Snowflakes chosen so that (id >> 22) % 2 is 0 for GUILD_A and 1 for GUILD_B.
export const GUILD_A = String((100n << 22n) | 1n);
export const GUILD_B = String((101n << 22n) | 1n);

export function user(id: string, name = `user${id}`): UserData {
  return { id, username: name, discriminator: '0', global_name: null, avatar: null, bot: true };
}

export function member(id: string, roles: string[] = []): GuildMemberData {
  return { user: user(id), roles, joined_at: '2020-01-01T00:00:00.000Z', deaf: false, mute: false };
}

export function guild(id: string, memberIds: string[], extra: Partial<GuildSnapshot> = {}): GuildSnapshot {
  return {
    id,
    name: `guild ${id}`,
    owner_id: memberIds[0] ?? '1',
    channels: [
      { id: `${id}1`, type: 0, name: 'general' },
      { id: `${id}2`, type: 2, name: 'voice' },
    ],
    // VIEW_CHANNEL | CONNECT | SPEAK, as Discord's default @everyone has them.
    roles: [{ id, name: '@everyone', permissions: String((1 << 10) | (1 << 20) | (1 << 21)), position: 0 }],
    members: memberIds.map((m) => member(m)),
    ...extra,
  };
}

/** Tokens are `token-<userId>`; users 1..9 exist. */
export function defaultDirectory(): InMemoryDirectory {
  const directory = new InMemoryDirectory();
  directory.addGuild(guild(GUILD_A, ['1', '2', '3']));
  directory.addGuild(guild(GUILD_B, ['1', '2']));
  return directory;
}

export async function startServer(options: Partial<GatewayServerOptions> = {}): Promise<GatewayServer> {
  return createGatewayServer({
    port: 0,
    host: '127.0.0.1',
    heartbeatInterval: 5000,
    identifyIntervalMs: 0,
    directory: defaultDirectory(),
    authenticate: (token) => {
      const match = /^token-(\d+)$/.exec(token);
      return match ? { user: user(match[1]!) } : null;
    },
    ...options,
  });
}

/** A raw test client: decodes frames (any encoding, zlib-stream, payload compression) into a queue. */
export class TestClient {
  readonly ws: WebSocket;
  readonly received: Payload[] = [];
  readonly encoding;
  readonly #waiters: { test: (p: Payload) => boolean; resolve: (p: Payload) => void; reject: (e: Error) => void }[] =
    [];
  readonly #inflater: StreamInflater | null;
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;
  readonly #consumed = new WeakSet<Payload>();

  constructor(url: string, query = 'v=10&encoding=json') {
    const params = new URLSearchParams(query);
    this.encoding = getEncoding(params.get('encoding') ?? 'json');
    const compress = params.get('compress');
    this.#inflater =
      compress === 'zlib-stream'
        ? createZlibStreamInflater()
        : compress === 'zstd-stream'
          ? createZstdStreamInflater()
          : null;
    this.ws = new WebSocket(`${url}/?${query}`);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const w of this.#waiters.splice(0)) w.reject(new Error(`closed ${code} ${reason}`));
      });
    });
    this.ws.on('error', () => undefined);
    this.ws.on('message', (data: Buffer, isBinary) => {
      let bytes: Uint8Array | string = isBinary ? data : data.toString('utf8');
      if (this.#inflater) {
        const out = this.#inflater.push(data);
        if (out === null) return;
        bytes = out;
      } else if (isBinary && this.encoding.name === 'json') {
        bytes = inflatePayload(data);
      }
      this.#push(this.encoding.decode(bytes) as Payload);
    });
  }

  #push(payload: Payload): void {
    this.received.push(payload);
    const index = this.#waiters.findIndex((w) => w.test(payload));
    if (index !== -1) {
      const [waiter] = this.#waiters.splice(index, 1);
      this.#consumed.add(payload);
      waiter!.resolve(payload);
    }
  }

  /** The first not yet returned payload matching `test` (waits for it). */
  next(test: (p: Payload) => boolean = () => true, timeoutMs = 4000): Promise<Payload> {
    for (const p of this.received) {
      if (!this.#consumed.has(p) && test(p)) {
        this.#consumed.add(p);
        return Promise.resolve(p);
      }
    }
    return new Promise((resolve, reject) => {
      const waiter = { test, resolve, reject };
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(waiter);
        if (i !== -1) this.#waiters.splice(i, 1);
        reject(new Error('timed out waiting for a payload'));
      }, timeoutMs);
      waiter.resolve = (p) => {
        clearTimeout(timer);
        resolve(p);
      };
      this.#waiters.push(waiter);
    });
  }

  dispatch(t: string, timeoutMs?: number): Promise<Payload> {
    return this.next((p) => p.op === 0 && p.t === t, timeoutMs);
  }

  send(payload: unknown): void {
    const data = this.encoding.encode(payload);
    this.ws.send(data, { binary: typeof data !== 'string' });
  }

  sendRaw(data: string | Buffer, binary = typeof data !== 'string'): void {
    this.ws.send(data, { binary });
  }

  identify(userId: string, extra: Record<string, unknown> = {}): void {
    this.send({
      op: 2,
      d: {
        token: `Bot token-${userId}`,
        properties: { os: 'linux', browser: 'test', device: 'test' },
        intents: ALL_NON_PRIVILEGED,
        ...extra,
      },
    });
  }

  async ready(userId: string, extra: Record<string, unknown> = {}): Promise<Payload> {
    await this.next((p) => p.op === 10);
    this.identify(userId, extra);
    return this.dispatch('READY');
  }

  lastSeq(): number | null {
    let seq: number | null = null;
    for (const p of this.received) if (p.s !== null && p.s !== undefined) seq = p.s;
    return seq;
  }

  close(code = 1000): Promise<{ code: number; reason: string }> {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(code);
    return this.closed;
  }
}

export async function connect(server: GatewayServer, query?: string): Promise<TestClient> {
  const client = new TestClient(server.url, query);
  await client.opened;
  return client;
}

/** Resolves after the event loop has run `ms` (used to let the server process, never as an assertion). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
