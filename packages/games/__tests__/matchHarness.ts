import type { AddressInfo } from 'node:net';
import { createGatewayServer, type GatewayServer } from '@concord/gateway-server';
import { Community } from '@concord/guilds';
import { concordRest, restFrameworkErrors } from '@concord/rest-server';
import { createInMemoryStore } from '@concord/storage-adapters';
import { createInMemoryEntityStore } from '@concord/storage-adapters/entities';
import { createVoiceServer, VoiceClient, type VoiceServer } from '@concord/voice';
import Fastify, { type FastifyInstance } from 'fastify';
import WebSocket from 'ws';
import { createPlayerAuthenticate, GameHost, gameApi, TextSafety } from '../src/index.js';
import { SECRET } from './helpers.js';

// biome-ignore lint/suspicious/noExplicitAny: wire JSON, read field by field by the assertions.
type Json = any;

export const SERVICE_TOKEN = 'the-game-backend-service-token-0123456789';
const INTENTS = 1 | 128 | 512 | 4096 | 32768;

/**
 * The whole stack a studio assembles, on loopback: a community on in-memory stores with the text filter, the
 * gateway and Discord's REST on one Fastify server, the voice server (SFU) as the gateway's allocator and the game
 * API over a GameHost — what examples/chat-server does, plus the game layer.
 */
export async function startMatchStack() {
  const textSafety = new TextSafety({ rateLimit: false });
  const store = createInMemoryEntityStore();
  const community = new Community({ store, messages: createInMemoryStore(), messageFilter: textSafety });
  const voice: VoiceServer = await createVoiceServer({ heartbeatInterval: 5_000 });
  const host = await GameHost.open({
    community,
    guild: { id: '1300000000000000000', name: 'Arena' },
    serviceUser: { id: '1300000000000000001', username: 'Arena' },
    keys: [{ id: 'k1', secret: SECRET }],
    reports: { store, textSafety, audio: voice },
  });
  const authenticate = createPlayerAuthenticate({ tokens: host.tokens, findUser: (id) => community.users.find(id) });
  const app: FastifyInstance = Fastify({ frameworkErrors: restFrameworkErrors });
  const gateway: GatewayServer = await createGatewayServer({
    server: app.server,
    directory: community.directory,
    authenticate,
    voiceAllocator: voice,
    identifyIntervalMs: 0,
    identifyLimitPerAddress: false,
  });
  await app.register(concordRest, { community, authenticate, gateway, prefix: '/api' });
  await app.register(gameApi, { host, serviceTokens: [SERVICE_TOKEN], voice, prefix: '/games/v1' });
  await community.attach(gateway);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const players: MatchPlayer[] = [];
  const call = async (method: string, path: string, body?: unknown, authorization = `Service ${SERVICE_TOKEN}`) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  return {
    community,
    host,
    voice,
    gateway,
    url,
    players,
    call,
    textSafety,
    async close() {
      for (const p of players) p.close();
      await host.close();
      await gateway.close();
      await app.close();
      await voice.close();
    },
  };
}

/** A player's client: the gateway over a bare WebSocket (the engine contract), and its voice once joined. */
export class MatchPlayer {
  readonly events: { t: string; d: Json }[] = [];
  /** Frame marks received, by the sender's SSRC. */
  readonly heard = new Map<number, number[]>();
  voice: VoiceClient | null = null;
  readonly #ws: WebSocket;
  /** Settled when the socket opens (it may open before identify() is called). */
  readonly #opened: Promise<unknown>;
  readonly #waiters = new Set<() => void>();
  #heartbeat: NodeJS.Timeout | undefined;
  #seq: number | null = null;

  constructor(
    url: string,
    readonly userId: string,
    readonly token: string,
  ) {
    this.#ws = new WebSocket(`${url.replace(/^http/, 'ws')}/?v=10&encoding=json`);
    this.#opened = new Promise((resolve, reject) => this.#ws.once('open', resolve).once('error', reject));
    this.#ws.on('message', (raw) => {
      const p = JSON.parse(String(raw));
      if (typeof p.s === 'number') this.#seq = p.s;
      if (p.op === 10) {
        this.#heartbeat = setInterval(() => this.#send(1, this.#seq), p.d.heartbeat_interval);
        this.#heartbeat.unref();
      }
      if (p.op === 0) this.events.push({ t: p.t, d: p.d });
      for (const w of [...this.#waiters]) w();
    });
  }

  /** Identifies with the player's token and resolves at READY (its data). */
  async identify(): Promise<Json> {
    await this.sendIdentify();
    return (await this.waitFor('READY')).d;
  }

  async sendIdentify(token = this.token): Promise<void> {
    await this.#opened;
    this.#send(2, { token, intents: INTENTS, properties: { os: 'linux', browser: 'engine', device: 'engine' } });
  }

  /** The gateway close code, once the server closes the connection. */
  closed(): Promise<number> {
    return new Promise((resolve) => this.#ws.once('close', (code) => resolve(code)));
  }

  /** A raw gateway command (op 4 without joining the voice connection, say). */
  send(op: number, d: Json): void {
    this.#send(op, d);
  }

  waitFor(t: string, match: (d: Json) => boolean = () => true, ms = 10_000): Promise<{ t: string; d: Json }> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.events.find((e) => e.t === t && match(e.d));
        if (!found) return;
        this.#waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`${this.userId}: no ${t} within ${ms} ms`));
      }, ms);
      this.#waiters.add(check);
      check();
    });
  }

  /** op 4 into a voice channel, then the voice connection with what VOICE_SERVER_UPDATE gave. */
  async joinVoice(guildId: string, channelId: string): Promise<void> {
    const before = this.events.filter((e) => e.t === 'VOICE_SERVER_UPDATE').length;
    this.#send(4, { guild_id: guildId, channel_id: channelId, self_mute: false, self_deaf: false });
    const state = await this.waitFor(
      'VOICE_STATE_UPDATE',
      (d) => d.user_id === this.userId && d.channel_id === channelId,
    );
    await this.waitFor(
      'VOICE_SERVER_UPDATE',
      () => this.events.filter((e) => e.t === 'VOICE_SERVER_UPDATE').length > before,
    );
    const server = this.events.filter((e) => e.t === 'VOICE_SERVER_UPDATE').at(-1)!.d;
    const voice = new VoiceClient({
      endpoint: server.endpoint,
      token: server.token,
      sessionId: state.d.session_id,
      userId: this.userId,
      guildId,
      rtcpInterval: 0,
    });
    voice.on('packet', (p) => {
      const list = this.heard.get(p.ssrc) ?? [];
      list.push(p.opus[1]!);
      this.heard.set(p.ssrc, list);
    });
    await voice.connect();
    this.voice = voice;
  }

  /** One frame marked `n` (its second byte), so listeners can tell which were forwarded. */
  say(n: number): void {
    this.voice?.sendOpus(Buffer.from([0xfc, n]));
  }

  /** The marks of the frames received from `speaker`. */
  heardFrom(speaker: MatchPlayer): number[] {
    const ssrc = speaker.voice?.ssrc;
    return ssrc === undefined ? [] : (this.heard.get(ssrc) ?? []);
  }

  close(): void {
    clearInterval(this.#heartbeat);
    this.voice?.disconnect();
    this.#ws.terminate();
  }

  #send(op: number, d: Json): void {
    this.#ws.send(JSON.stringify({ op, d }));
  }
}
