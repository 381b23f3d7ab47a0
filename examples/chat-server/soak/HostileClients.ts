import { createSocket } from 'node:dgram';
import { request } from 'node:http';
import { etfEncoding } from '@concord/protocol/etf';
import { createMsgpackEncoding } from '@concord/protocol/msgpack';
import WebSocket from 'ws';
import { GENERAL_TEXT_ID, GENERAL_VOICE_ID, LOBBY_ID } from '../src/createChatServer.js';

export interface HostileOptions {
  port: number;
  /** The voice node's WebSocket and UDP ports, when the server runs voice. */
  voicePort?: number;
  voiceUdpPort?: number;
  durationMs: number;
}

/** What one class of hostile client did and what it got back. */
export interface HostileTally {
  actions: number;
  /** Close codes, HTTP statuses or other outcomes, counted. */
  outcomes: Record<string, number>;
}

type Encoding = 'json' | 'etf' | 'msgpack';
// The attacker's msgpack encoder allows deeper values than ours would send (our ETF encoder stops at 128, so its poison is 100 deep).
const codecs = { etf: etfEncoding, msgpack: createMsgpackEncoding({ maxDepth: 1000 }) } as const;

/**
 * The hostile side of the soak test: one loop per class of attack from issue #12, each on its own loopback address
 * (so per-address limits meet the attacker, not the normal clients on 127.0.0.1), each bounded in rate, in open
 * connections and in time. Every loop ends by itself at the deadline.
 */
export class HostileClients {
  readonly #o: HostileOptions;
  readonly #deadline: number;
  readonly tallies: Record<string, HostileTally> = {};
  readonly #open = new Set<WebSocket>();

  constructor(options: HostileOptions) {
    this.#o = options;
    this.#deadline = Date.now() + options.durationMs;
  }

  async run(): Promise<Record<string, HostileTally>> {
    const loops = [
      this.#decoderBombs('msgpack', '127.0.0.51'),
      this.#decoderBombs('etf', '127.0.0.52'),
      this.#decoderBombs('json', '127.0.0.53'),
      this.#poisonedPresence('json', '127.0.0.54'),
      this.#poisonedPresence('etf', '127.0.0.55'),
      this.#poisonedPresence('msgpack', '127.0.0.56'),
      this.#presenceVictim('etf', '127.0.0.57'),
      this.#presenceVictim('msgpack', '127.0.0.58'),
      this.#restFlood('rest.members', '127.0.0.59', () => `/guilds/${LOBBY_ID}/members?limit=1000`),
      this.#restFlood('rest.randomIds', '127.0.0.60', () => `/channels/${randomId()}/messages?limit=100`),
      this.#memberRequests('127.0.0.61'),
      this.#voiceJoins('127.0.0.62'),
      this.#identifyChurn('127.0.0.63'),
      this.#idleConnections('127.0.0.64'),
    ];
    if (this.#o.voiceUdpPort) loops.push(this.#udpGarbage('127.0.0.65', this.#o.voiceUdpPort));
    if (this.#o.voicePort) loops.push(this.#voiceIdle('127.0.0.66', this.#o.voicePort));
    await Promise.all(loops);
    for (const ws of this.#open) ws.terminate();
    return this.tallies;
  }

  #live(): boolean {
    return Date.now() < this.#deadline;
  }

  #count(name: string, outcome?: string | number): void {
    this.tallies[name] ??= { actions: 0, outcomes: {} };
    const tally = this.tallies[name];
    if (outcome === undefined) tally.actions++;
    else tally.outcomes[String(outcome)] = (tally.outcomes[String(outcome)] ?? 0) + 1;
  }

  // ── gateway ──────────────────────────────────────────────────────────────────────────────────────────────────

  /** Before Identify: frames whose declared lengths/nesting would cost far more than their size (item 1). */
  async #decoderBombs(encoding: Encoding, localAddress: string): Promise<void> {
    const name = `gateway.bomb.${encoding}`;
    const frame = bombFrame(encoding);
    while (this.#live()) {
      const ws = this.#connect(encoding, localAddress);
      this.#count(name);
      const code = await new Promise<number>((resolve) => {
        ws.once('close', (c) => resolve(c));
        ws.once('error', () => undefined);
        ws.once('open', () => ws.send(frame, { binary: encoding !== 'json' }));
      });
      this.#count(name, code);
      await sleep(200);
    }
  }

  /** A logged-in user whose op 3 carries activities 300 deep and a `__proto__` key (items 2 and 3). */
  async #poisonedPresence(encoding: Encoding, localAddress: string): Promise<void> {
    const name = `gateway.presence.${encoding}`;
    const deep: Record<string, unknown> = {};
    let cursor = deep;
    for (let i = 0; i < (encoding === 'etf' ? 100 : 300); i++) {
      const next: Record<string, unknown> = {};
      cursor.a = next;
      cursor = next;
    }
    const poisons = [
      { op: 3, d: { since: null, afk: false, status: 'dnd', activities: [{ name: 'x', type: 0, state: deep }] } },
      { op: 3, d: { since: null, afk: false, status: 'dnd', activities: [{ name: 'x', type: 0, deep }] } },
    ];
    // As JSON text a `__proto__` key survives (an object literal would set the prototype instead).
    const protoJson =
      '{"op":3,"d":{"since":null,"afk":false,"status":"idle","activities":[{"name":"x","type":0,"__proto__":{"x":1}}]}}';
    let n = 0;
    while (this.#live()) {
      const ws = await this.#identified(encoding, localAddress, `soak-poison-${encoding}`, 1);
      if (!ws) {
        await sleep(500);
        continue;
      }
      this.#count(name);
      const code = await new Promise<number>((resolve) => {
        ws.once('close', (c) => resolve(c));
        const which = n++ % 3;
        if (which === 2 && encoding === 'json') ws.send(protoJson);
        else ws.send(encode(encoding, poisons[which % 2]));
        setTimeout(() => ws.close(1000), 2000);
      });
      this.#count(name, code);
      await sleep(500);
    }
  }

  /** Sessions in the other binary encodings that receive the poisoned presences; they must never be closed. */
  async #presenceVictim(encoding: Encoding, localAddress: string): Promise<void> {
    const name = `gateway.victim.${encoding}`;
    while (this.#live()) {
      const ws = await this.#identified(encoding, localAddress, `soak-victim-${encoding}`, 1 | 256);
      if (!ws) {
        await sleep(500);
        continue;
      }
      this.#count(name);
      const code = await Promise.race([
        new Promise<number>((resolve) => ws.once('close', (c) => resolve(c))),
        sleep(Math.max(0, this.#deadline - Date.now())).then(() => -1),
      ]);
      if (code !== -1) this.#count(name, code);
    }
  }

  /** op 8 for the whole member list with an absurd limit, repeatedly (item 6). */
  async #memberRequests(localAddress: string): Promise<void> {
    const name = 'gateway.op8';
    while (this.#live()) {
      const ws = await this.#identified('json', localAddress, 'soak-hostile-op8', 1 | 2);
      if (!ws) {
        await sleep(500);
        continue;
      }
      ws.on('message', (raw) => {
        const p = JSON.parse(String(raw));
        if (p.t === 'GUILD_MEMBERS_CHUNK' || p.t === 'RATE_LIMITED') this.#count(name, p.t);
      });
      const closed = new Promise<number>((resolve) => ws.once('close', (c) => resolve(c)));
      let open = true;
      void closed.then((code) => {
        open = false;
        this.#count(name, code);
      });
      while (open && this.#live()) {
        this.#count(name);
        ws.send(JSON.stringify({ op: 8, d: { guild_id: LOBBY_ID, query: '', limit: 1e9, presences: true } }));
        await sleep(250);
      }
      ws.close(1000);
      await closed;
    }
  }

  /** op 4 into a text channel, an unknown id and another guild's channel (item 9). */
  async #voiceJoins(localAddress: string): Promise<void> {
    const name = 'gateway.op4';
    const targets = [GENERAL_TEXT_ID, randomId(), '1300000000000000001'];
    while (this.#live()) {
      const ws = await this.#identified('json', localAddress, 'soak-hostile-op4', 1 | 128);
      if (!ws) {
        await sleep(500);
        continue;
      }
      ws.on('message', (raw) => {
        const p = JSON.parse(String(raw));
        if (p.t === 'VOICE_SERVER_UPDATE') this.#count(name, 'VOICE_SERVER_UPDATE');
        if (p.t === 'VOICE_STATE_UPDATE' && p.d.channel_id !== null && p.d.channel_id !== GENERAL_VOICE_ID) {
          this.#count(name, 'joined a non-voice channel');
        }
      });
      const closed = new Promise<number>((resolve) => ws.once('close', (c) => resolve(c)));
      for (let i = 0; i < 20 && this.#live(); i++) {
        this.#count(name);
        const channel_id = targets[i % targets.length];
        ws.send(JSON.stringify({ op: 4, d: { guild_id: LOBBY_ID, channel_id, self_mute: false, self_deaf: false } }));
        await sleep(500);
      }
      ws.close(1000);
      this.#count(name, await closed);
    }
  }

  /** Identify with a new dev-auth token, then close at once: user creation flood + queued-then-closed (item 10). */
  async #identifyChurn(localAddress: string): Promise<void> {
    const name = 'gateway.identifyChurn';
    while (this.#live()) {
      const ws = this.#connect('json', localAddress);
      this.#count(name);
      await new Promise<void>((resolve) => {
        ws.once('error', () => resolve());
        ws.once('close', () => resolve());
        ws.once('open', () => {
          ws.send(JSON.stringify({ op: 2, d: { token: `soak-churn-${randomId()}`, intents: 1, properties: {} } }));
          setTimeout(() => ws.terminate(), 20);
        });
      });
      await sleep(50);
    }
  }

  /** Connections that never identify (the identify timeout must close them); at most 50 open. */
  async #idleConnections(localAddress: string): Promise<void> {
    const name = 'gateway.idle';
    const open = new Set<WebSocket>();
    while (this.#live()) {
      while (open.size < 50 && this.#live()) {
        const ws = this.#connect('json', localAddress);
        this.#count(name);
        open.add(ws);
        ws.once('error', () => undefined);
        ws.once('close', (code) => {
          open.delete(ws);
          this.#count(name, code);
        });
      }
      await sleep(250);
    }
  }

  // ── REST ─────────────────────────────────────────────────────────────────────────────────────────────────────

  /** 100 requests a second, at most 10 in flight, from one address with one token (items 5 and 7). */
  async #restFlood(name: string, localAddress: string, path: () => string): Promise<void> {
    const token = `soak-hostile-${name}`;
    let inFlight = 0;
    while (this.#live()) {
      if (inFlight < 10) {
        inFlight++;
        this.#count(name);
        void httpGet(this.#o.port, localAddress, `/api/v10${path()}`, token).then((status) => {
          inFlight--;
          this.#count(name, status);
        });
      }
      await sleep(10);
    }
    while (inFlight > 0) await sleep(10);
  }

  // ── voice ────────────────────────────────────────────────────────────────────────────────────────────────────

  /** Random datagrams (RTP-looking and not) at the voice node's UDP port, 200 a second. */
  async #udpGarbage(localAddress: string, udpPort: number): Promise<void> {
    const name = 'voice.udpGarbage';
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, localAddress, resolve));
    socket.on('message', () => this.#count(name, 'reply'));
    while (this.#live()) {
      for (let i = 0; i < 20; i++) {
        const size = 12 + Math.floor(Math.random() * 1200);
        const packet = Buffer.alloc(size);
        for (let j = 0; j < size; j++) packet[j] = Math.floor(Math.random() * 256);
        if (i % 2 === 0) packet[0] = 0x80; // RTP version 2
        if (i % 5 === 0) packet.writeUInt16BE(1, 0); // IP discovery request type
        socket.send(packet, udpPort, '127.0.0.1');
        this.#count(name);
      }
      await sleep(100);
    }
    socket.close();
  }

  /** Voice gateway connections that never identify; at most 20 open (item 12's identify timeout). */
  async #voiceIdle(localAddress: string, voicePort: number): Promise<void> {
    const name = 'voice.idle';
    const open = new Set<WebSocket>();
    while (this.#live()) {
      while (open.size < 20 && this.#live()) {
        const ws = new WebSocket(`ws://127.0.0.1:${voicePort}/?v=8`, { localAddress });
        this.#open.add(ws);
        this.#count(name);
        open.add(ws);
        ws.once('error', () => undefined);
        ws.once('close', (code) => {
          open.delete(ws);
          this.#open.delete(ws);
          this.#count(name, code);
        });
      }
      await sleep(250);
    }
  }

  // ── plumbing ─────────────────────────────────────────────────────────────────────────────────────────────────

  #connect(encoding: Encoding, localAddress: string): WebSocket {
    const ws = new WebSocket(`ws://127.0.0.1:${this.#o.port}/?v=10&encoding=${encoding}`, { localAddress });
    this.#open.add(ws);
    ws.once('close', () => this.#open.delete(ws));
    ws.on('error', () => undefined);
    return ws;
  }

  /** An identified session (heartbeating), or null when the server refused it. */
  async #identified(
    encoding: Encoding,
    localAddress: string,
    token: string,
    intents: number,
  ): Promise<WebSocket | null> {
    const ws = this.#connect(encoding, localAddress);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        ws.terminate();
        resolve(null);
      }, 15_000);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve(null);
      });
      ws.on('message', (raw: Buffer, isBinary: boolean) => {
        let payload: { op: number; t?: string; d: { heartbeat_interval: number } };
        try {
          payload = decode(encoding, raw, isBinary) as typeof payload;
        } catch {
          // What our own decoders refuse (a relayed `__proto__` key, say) must never reach a client.
          this.#count('undecodable', token);
          return;
        }
        if (payload.op === 10) {
          const beat = setInterval(() => {
            if (ws.readyState === ws.OPEN) ws.send(encode(encoding, { op: 1, d: null }));
            else clearInterval(beat);
          }, payload.d.heartbeat_interval);
          ws.send(encode(encoding, { op: 2, d: { token, intents, properties: { os: 'linux', browser: 'soak' } } }));
        } else if (payload.op === 0 && payload.t === 'READY') {
          clearTimeout(timer);
          resolve(ws);
        }
      });
    });
  }
}

/** A 4 KB frame of nested container headers each declaring far more elements than the frame holds. */
function bombFrame(encoding: Encoding): Buffer | string {
  if (encoding === 'json') return '['.repeat(4000);
  if (encoding === 'msgpack') {
    // array 32 with 100,000 elements, over and over: each header is 5 bytes, so ~800 nested levels in 4 KB.
    const header = Buffer.from([0xdd, 0x00, 0x01, 0x86, 0xa0]);
    return Buffer.concat(Array.from({ length: 819 }, () => header));
  }
  // ETF: version, then LIST_EXT declaring 2^32-1 elements, nested.
  const header = Buffer.from([108, 0xff, 0xff, 0xff, 0xff]);
  return Buffer.concat([Buffer.from([131]), ...Array.from({ length: 819 }, () => header)]);
}

function encode(encoding: Encoding, payload: unknown): string | Uint8Array {
  return encoding === 'json' ? JSON.stringify(payload) : codecs[encoding].encode(payload);
}

function decode(encoding: Encoding, raw: Buffer, isBinary: boolean): unknown {
  if (encoding === 'json') return JSON.parse(isBinary ? raw.toString('utf8') : String(raw));
  return codecs[encoding].decode(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength));
}

function httpGet(port: number, localAddress: string, path: string, token: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, localAddress, path, headers: { Authorization: token } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.setTimeout(10_000, () => req.destroy());
    req.on('error', (error) => resolve((error as NodeJS.ErrnoException).code ?? 'error'));
    req.end();
  });
}

function randomId(): string {
  return `${1 + Math.floor(Math.random() * 9)}${String(Math.floor(Math.random() * 1e17)).padStart(17, '0')}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
