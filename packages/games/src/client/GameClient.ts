// The reference client of a game (docs/GAMES.md, "A browser client"): what docs/ENGINE-CONTRACT.md asks of an engine,
// for a browser or WebGL build. The gateway through @concord/gateway-client (a player token, the contract's intents),
// the party through the game API's player routes, party chat through Discord's REST, and the party's voice through
// WebRTC (@concord/voice/browser), with the player's position sent on it where the game lets clients place themselves.
// Text works wherever a WebSocket does (Node included); voice needs a browser's RTCPeerConnection.
import { GatewayConnection } from '@concord/gateway-client';
import {
  BrowserVoiceSession,
  type BrowserVoiceStatus,
  type ClientPosition,
  type InboundAudio,
} from '@concord/voice/browser';
import EventEmitter from 'eventemitter3';
import type { PartyInfo } from '../parties/Party.js';
import { GameClientError } from './GameClientError.js';
import type { GameClientEvents, GameMessage, GamePlayer } from './GameClientEvents.js';
import type { GameClientOptions } from './GameClientOptions.js';
import { gameClientDefaults } from './gameClientDefaults.js';

// biome-ignore lint/suspicious/noExplicitAny: dispatch payloads are read field by field, as the server sends them.
type Json = any;

/** A player's client: connect, join a party, chat in it, talk in it. */
export class GameClient extends EventEmitter<GameClientEvents> {
  readonly #options: GameClientOptions;
  readonly #fetch: typeof fetch;
  readonly #gateway: GatewayConnection;
  #player: GamePlayer | null = null;
  #guildId: string | null = null;
  #sessionId: string | null = null;
  #party: PartyInfo | null = null;
  #voice: BrowserVoiceSession | null = null;
  /** The latest VOICE_SERVER_UPDATE and the player's own VOICE_STATE_UPDATE, for joinVoice. */
  #voiceServer: { endpoint: string | null; token: string } | null = null;
  #voiceChannel: string | null = null;
  readonly #waiters = new Set<() => void>();

  constructor(options: GameClientOptions) {
    super();
    this.#options = options;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    const base = options.baseUrl.replace(/\/+$/, '');
    this.#gateway = new GatewayConnection({
      url: options.gatewayUrl ?? `${base.replace(/^http/, 'ws')}/`,
      token: options.token,
      intents: options.intents ?? gameClientDefaults.intents,
      properties: options.properties ?? gameClientDefaults.properties,
      ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
    });
    this.#gateway.on('dispatch', (payload) => {
      try {
        this.#onDispatch(payload.t, payload.d);
      } catch (error) {
        this.emit('error', error instanceof Error ? error : new Error(String(error)));
      }
      for (const wake of [...this.#waiters]) wake();
    });
    this.#gateway.on('error', (error) => this.emit('error', error));
  }

  /** The player (null before READY). */
  get player(): GamePlayer | null {
    return this.#player;
  }

  /** The game's guild id (the first guild in READY: a player token sees only its game). */
  get guildId(): string | null {
    return this.#guildId;
  }

  /** The party the player is in, as the game API last described it. */
  get party(): PartyInfo | null {
    return this.#party;
  }

  /** The party's voice connection, while joined. */
  get voice(): BrowserVoiceSession | null {
    return this.#voice;
  }

  /** Connects the gateway with the player token; resolves at READY. A refused token rejects (close 4004). */
  async connect(): Promise<GamePlayer> {
    await this.#gateway.connect();
    if (!this.#player) throw new GameClientError('NOT_CONNECTED', 'READY carried no user');
    return this.#player;
  }

  /**
   * Joins a party (`POST /games/v1/parties/{id}/join`) with its join token when the party asks for one. Refusals
   * reject with REQUEST_FAILED and the game API's answer (409 PARTY_FULL, 403 JOIN_TOKEN_INVALID, 410 PARTY_ENDED…).
   */
  async joinParty(partyId: string, joinToken?: string): Promise<PartyInfo> {
    const body = joinToken === undefined ? {} : { token: joinToken };
    this.#party = await this.#request<PartyInfo>('POST', `/games/v1/parties/${partyId}/join`, body);
    return this.#party;
  }

  /** Leaves the party (its voice first, if joined). */
  async leaveParty(): Promise<void> {
    const party = this.#requireParty();
    if (this.#voice) this.leaveVoice();
    await this.#request('POST', `/games/v1/parties/${party.id}/leave`);
    this.#party = null;
  }

  /** Sends a chat message to the party's channel; resolves with the message as the server stored it. */
  async say(content: string): Promise<GameMessage> {
    const party = this.#requireParty();
    return toMessage(await this.#request('POST', `/api/v10/channels/${party.channelId}/messages`, { content }));
  }

  /**
   * Joins the party's voice: op 4 on the gateway, then (VOICE_STATE_UPDATE and VOICE_SERVER_UPDATE answer) the voice
   * connection over WebRTC with `microphone` (null: listen only). Resolves once audio flows.
   */
  async joinVoice(microphone: MediaStream | null): Promise<BrowserVoiceSession> {
    const party = this.#requireParty();
    const guildId = this.#guildId;
    const player = this.#player;
    if (!guildId || !player) throw new GameClientError('NOT_CONNECTED', 'connect() first');
    this.#voice?.close();
    this.#voice = null;
    this.#voiceServer = null;
    this.#voiceChannel = null;
    await this.#gateway.updateVoiceState({
      guild_id: guildId,
      channel_id: party.channelId,
      self_mute: false,
      self_deaf: false,
    });
    await this.#until(
      () => this.#voiceChannel === party.channelId && this.#voiceServer !== null,
      this.#options.voiceTimeoutMs ?? gameClientDefaults.voiceTimeoutMs,
    );
    const server = this.#voiceServer as { endpoint: string | null; token: string } | null;
    if (!server?.endpoint || !this.#sessionId)
      throw new GameClientError('VOICE_UNAVAILABLE', 'the server has no voice server for this party');
    const voice = new BrowserVoiceSession({
      endpoint: server.endpoint,
      token: server.token,
      guildId,
      userId: player.id,
      sessionId: this.#sessionId,
      microphone,
    });
    this.#voice = voice;
    voice.on('status', (status: BrowserVoiceStatus) => this.emit('voiceStatus', status));
    voice.on('track', (userId, track) => this.emit('voiceTrack', userId, track));
    voice.on('speaking', (userId, speaking) => this.emit('speaking', userId, speaking));
    voice.on('error', (error) => this.emit('error', error));
    voice.on('closed', (error) => {
      if (this.#voice === voice) this.#voice = null;
      if (error) this.emit('error', error);
    });
    await voice.connected();
    return voice;
  }

  /** Leaves voice: the connection closes and op 4 says so to the others. */
  leaveVoice(): void {
    const voice = this.#voice;
    if (!voice) return;
    this.#voice = null;
    voice.close();
    if (this.#guildId)
      void this.#gateway
        .updateVoiceState({ guild_id: this.#guildId, channel_id: null, self_mute: false, self_deaf: false })
        .catch((error: Error) => this.emit('error', error));
  }

  /** Mutes or unmutes the microphone, and shows it to the others (op 4's `self_mute`). */
  setMuted(muted: boolean): void {
    const voice = this.#voice;
    if (!voice || !this.#guildId || !this.#party) return;
    voice.setMuted(muted);
    void this.#gateway
      .updateVoiceState({
        guild_id: this.#guildId,
        channel_id: this.#party.channelId,
        self_mute: muted,
        self_deaf: false,
      })
      .catch((error: Error) => this.emit('error', error));
  }

  /** Where the player is (voice op 1001): heard by distance in a party the game made positional from its clients. */
  sendPosition(position: ClientPosition): void {
    this.#voice?.sendPosition(position);
  }

  /** What the player's client received so far of `userId`'s audio (null while not receiving them). */
  inboundAudio(userId: string): Promise<InboundAudio | null> {
    return this.#voice?.inboundAudio(userId) ?? Promise.resolve(null);
  }

  /** Closes voice and the gateway (the session ends; nothing resumes it). */
  close(): void {
    this.#voice?.close();
    this.#voice = null;
    this.#gateway.destroy();
  }

  #requireParty(): PartyInfo {
    if (!this.#party) throw new GameClientError('NOT_IN_PARTY', 'join a party first');
    return this.#party;
  }

  #onDispatch(t: string, d: Json): void {
    switch (t) {
      case 'READY':
        this.#player = { id: d.user.id, username: d.user.username, globalName: d.user.global_name ?? null };
        this.#sessionId = d.session_id;
        this.#guildId = d.guilds?.[0]?.id ?? null;
        this.emit('ready', this.#player, this.#guildId ?? '');
        break;
      case 'MESSAGE_CREATE':
        if (d.channel_id === this.#party?.channelId) this.emit('message', toMessage(d));
        break;
      case 'CHANNEL_DELETE':
        if (d.id === this.#party?.channelId) this.#lostParty();
        break;
      case 'CHANNEL_UPDATE':
        // Out of the party: the overwrite that let the player see the channel is gone (kicked, or left elsewhere).
        if (d.id === this.#party?.channelId && !this.#canSee(d)) this.#lostParty();
        break;
      case 'VOICE_STATE_UPDATE':
        if (d.user_id === this.#player?.id && d.session_id === this.#sessionId) this.#voiceChannel = d.channel_id;
        if (typeof d.user_id === 'string') this.emit('voiceState', d.user_id, d.channel_id ?? null);
        break;
      case 'VOICE_SERVER_UPDATE':
        if (d.guild_id === this.#guildId) this.#voiceServer = { endpoint: d.endpoint ?? null, token: d.token };
        break;
    }
  }

  #canSee(channel: Json): boolean {
    const overwrites: Json[] = channel.permission_overwrites ?? [];
    return overwrites.some((o) => o.id === this.#player?.id && o.type === 1 && (BigInt(o.allow ?? 0) & 1024n) !== 0n);
  }

  #lostParty(): void {
    const party = this.#party;
    if (!party) return;
    this.#party = null;
    this.#voice?.close();
    this.#voice = null;
    this.emit('partyLeft', party.id);
  }

  /** Resolves when `ready()` holds after a dispatch, or rejects with VOICE_UNAVAILABLE after `ms`. */
  #until(ready: () => boolean, ms: number): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!ready()) return;
        this.#waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new GameClientError('VOICE_UNAVAILABLE', `no answer to op 4 within ${ms} ms`));
      }, ms);
      this.#waiters.add(check);
    });
  }

  async #request<T = Json>(method: string, path: string, body?: unknown): Promise<T> {
    const base = this.#options.baseUrl.replace(/\/+$/, '');
    const res = await this.#fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.#options.token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let data: unknown = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = text;
    }
    if (!res.ok) {
      const code = (data as { code?: unknown } | null)?.code;
      throw new GameClientError(
        'REQUEST_FAILED',
        `${method} ${path}: ${res.status} ${String(code ?? '')}`,
        res.status,
        data,
      );
    }
    return data as T;
  }
}

function toMessage(d: Json): GameMessage {
  return {
    id: d.id,
    channelId: d.channel_id,
    author: { id: d.author.id, username: d.author.username, globalName: d.author.global_name ?? null },
    content: d.content,
    timestamp: d.timestamp,
  };
}
