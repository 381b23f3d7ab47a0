import {
  closeCodeInfo,
  createZlibStreamInflater,
  createZstdStreamInflater,
  type Encoding,
  formatGatewayUrl,
  GatewayOpcodes,
  type GatewayReadyDispatchData,
  getEncoding,
  inflatePayload,
  isGatewayPayload,
  type StreamInflater,
} from '@concord/protocol';
import { EventEmitter } from 'eventemitter3';
import IsomorphicWebSocket from 'isomorphic-ws';
import { backoffDelay } from './backoff.js';
import { fetchGatewayBot } from './fetchGatewayBot.js';
import { GatewayClientError, GatewayCloseError, GatewayRateLimitError } from './GatewayClientError.js';
import { SendQueue } from './SendQueue.js';
import type {
  ConnectionStatus,
  DispatchPayload,
  GatewayConnectionEvents,
  GatewayConnectionOptions,
  GuildMembersResult,
  PresenceData,
  SessionInfo,
  WebSocketConstructor,
  WebSocketLike,
} from './types.js';

/** Close code this client uses when it drops a connection it wants to resume (any non-1000/1001 code keeps it). */
const RESUMABLE_CLOSE = 4000;
const OPEN = 1;

type Recovery = 'resume' | 'identify';

interface MemberCollector {
  guildId: string;
  members: unknown[];
  notFound: string[];
  presences: unknown[];
  seen: Set<number>;
  timer: ReturnType<typeof setTimeout>;
  resolve: (result: GuildMembersResult) => void;
  reject: (error: Error) => void;
}

function defaultProperties(): { os: string; browser: string; device: string } {
  const proc = (globalThis as { process?: { platform?: string } }).process;
  const os = typeof proc?.platform === 'string' ? proc.platform : 'browser';
  return { os, browser: '@concord/gateway-client', device: '@concord/gateway-client' };
}

function toBytes(data: unknown): Uint8Array | null {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  // ws with binaryType 'fragments' / 'nodebuffer' arrays of chunks.
  if (Array.isArray(data) && data.every((chunk) => chunk instanceof Uint8Array)) {
    const total = data.reduce((n, chunk: Uint8Array) => n + chunk.byteLength, 0);
    const out = new Uint8Array(total);
    let offset = 0;
    for (const chunk of data as Uint8Array[]) {
      out.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return out;
  }
  return null;
}

/**
 * One gateway connection (one shard): Hello → Identify/Resume, heartbeats with zombie detection, reconnects with
 * backoff, resume with exactly-once dispatch delivery, a rate-limited send queue. Works in Node and browsers.
 */
export class GatewayConnection extends EventEmitter<GatewayConnectionEvents> {
  readonly shardId: number;
  readonly encoding: Encoding;
  #options: GatewayConnectionOptions;
  #WebSocket: WebSocketConstructor;
  #random: () => number;
  #status: ConnectionStatus = 'idle';
  #gatewayUrl: string | null;
  #session: SessionInfo | null;
  #sequence: number | null;
  #ws: WebSocketLike | null = null;
  #inflater: StreamInflater | null = null;
  #queue: SendQueue;
  #attempt = 0;
  #heartbeatInterval = 0;
  #heartbeatTimer: ReturnType<typeof setTimeout> | undefined;
  #helloTimer: ReturnType<typeof setTimeout> | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #acked = true;
  #lastHeartbeatAt = 0;
  #latency = -1;
  #connectWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  #collectors = new Map<string, MemberCollector>();
  #nonceCounter = 0;

  constructor(options: GatewayConnectionOptions) {
    super();
    if (typeof options.token !== 'string' || options.token.length === 0) {
      throw new GatewayClientError('INVALID_OPTIONS', 'token is required');
    }
    if (!Number.isInteger(options.intents) || options.intents < 0) {
      throw new GatewayClientError('INVALID_OPTIONS', 'intents must be a non-negative integer');
    }
    this.#options = { ...options };
    this.encoding = getEncoding(options.encoding ?? 'json');
    if (options.compression === 'payload' && this.encoding.name !== 'json') {
      throw new GatewayClientError('INVALID_OPTIONS', 'payload compression (compress: true) is JSON only');
    }
    this.shardId = options.shard?.[0] ?? 0;
    this.#WebSocket = options.WebSocket ?? (IsomorphicWebSocket as unknown as WebSocketConstructor);
    this.#random = options.random ?? Math.random;
    this.#gatewayUrl = options.url ?? null;
    this.#session = options.session ? { ...options.session } : null;
    this.#sequence = this.#session?.sequence ?? null;
    this.#queue = new SendQueue(options.rateLimit);
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  /** The resumable session, if any (a copy). */
  get session(): SessionInfo | null {
    return this.#session ? { ...this.#session, sequence: this.#sequence ?? this.#session.sequence } : null;
  }

  /** Last dispatch sequence number seen (null before the first dispatch of a session). */
  get sequence(): number | null {
    return this.#sequence;
  }

  /** Last heartbeat round trip in ms, -1 before the first ACK. */
  get latency(): number {
    return this.#latency;
  }

  /**
   * Opens the connection; resolves on READY or RESUMED. Rejects with `GatewayCloseError` on a fatal close code,
   * `UNSUPPORTED_COMPRESSION`, `GATEWAY_BOT_FAILED` or `DESTROYED`. Reconnects happen by themselves afterwards.
   */
  async connect(): Promise<void> {
    if (this.#status === 'destroyed') throw new GatewayClientError('DESTROYED', 'connection destroyed');
    if (this.#status === 'ready') return;
    const waiter = new Promise<void>((resolve, reject) => this.#connectWaiters.push({ resolve, reject }));
    if (this.#status === 'idle' || this.#status === 'closed') {
      this.#setStatus('connecting');
      try {
        this.#checkCompression();
        if (this.#gatewayUrl === null) {
          if (this.#options.rest === undefined) {
            throw new GatewayClientError('INVALID_OPTIONS', 'either url or rest is required');
          }
          const info = await fetchGatewayBot({
            rest: this.#options.rest,
            token: this.#options.token,
            ...(this.#options.fetch ? { fetch: this.#options.fetch } : {}),
          });
          this.#gatewayUrl = info.url;
        }
      } catch (error) {
        this.#setStatus('closed');
        this.#failWaiters(error as Error);
        return waiter;
      }
      if ((this.#status as ConnectionStatus) !== 'connecting') return waiter; // destroyed meanwhile
      this.#attempt = 0;
      this.#open(this.#session !== null ? 'resume' : 'identify');
    }
    return waiter;
  }

  /**
   * Closes for good. By default with 1000, which ends the session; `keepSession: true` closes with 4000 instead so
   * the session stays resumable (persist `session` and pass it to the next process).
   */
  destroy(options: { keepSession?: boolean } = {}): void {
    if (this.#status === 'destroyed') return;
    const code = options.keepSession ? RESUMABLE_CLOSE : 1000;
    const ws = this.#teardown();
    if (ws) this.#closeSocket(ws, code, 'destroy', false);
    if (!options.keepSession) this.#setSession(null);
    else this.emit('session', this.session);
    this.#setStatus('destroyed');
    const error = new GatewayClientError('DESTROYED', 'connection destroyed');
    this.#queue.clear(error);
    this.#failWaiters(error);
    for (const [nonce, collector] of this.#collectors) this.#finishCollector(nonce, collector, error);
    if (ws) this.emit('closed', { code, reason: 'destroy', byClient: true, next: 'none' });
  }

  /** Queues a command (rate limited; held while not ready). Resolves once written to the socket. */
  send(payload: { op: number; d: unknown }): Promise<void> {
    if (this.#status === 'destroyed') {
      return Promise.reject(new GatewayClientError('DESTROYED', 'connection destroyed'));
    }
    return this.#queue.enqueue(() => this.#write({ op: payload.op, d: payload.d }));
  }

  /** op 3; also used by the next Identify. */
  setPresence(presence: PresenceData): Promise<void> {
    this.#options.presence = presence;
    return this.send({ op: GatewayOpcodes.PresenceUpdate, d: presence });
  }

  /** op 4: join (`channelId`), move or leave (`null`) a voice channel. */
  updateVoiceState(state: {
    guild_id: string;
    channel_id: string | null;
    self_mute?: boolean;
    self_deaf?: boolean;
  }): Promise<void> {
    return this.send({
      op: GatewayOpcodes.VoiceStateUpdate,
      d: {
        guild_id: state.guild_id,
        channel_id: state.channel_id,
        self_mute: state.self_mute ?? false,
        self_deaf: state.self_deaf ?? false,
      },
    });
  }

  /**
   * op 8, with the GUILD_MEMBERS_CHUNK answers collected (by nonce) into one result. Rejects with `TIMEOUT` when not
   * all chunks came within `timeout` ms, `GatewayRateLimitError` on a RATE_LIMITED answer.
   */
  requestGuildMembers<M = unknown, P = unknown>(
    request: { guild_id: string; query?: string; limit?: number; presences?: boolean; user_ids?: string[] },
    options: { timeout?: number } = {},
  ): Promise<GuildMembersResult<M, P>> {
    const nonce =
      `${Date.now().toString(36)}${(this.#nonceCounter++).toString(36)}${Math.floor(this.#random() * 1e8).toString(36)}`.slice(
        0,
        32,
      );
    const timeout = options.timeout ?? this.#options.requestTimeout ?? 10_000;
    const d: Record<string, unknown> = { guild_id: request.guild_id, limit: request.limit ?? 0, nonce };
    if (request.user_ids !== undefined) d.user_ids = request.user_ids;
    else d.query = request.query ?? '';
    if (request.presences !== undefined) d.presences = request.presences;
    const result = new Promise<GuildMembersResult<M, P>>((resolve, reject) => {
      const collector: MemberCollector = {
        guildId: request.guild_id,
        members: [],
        notFound: [],
        presences: [],
        seen: new Set(),
        timer: setTimeout(() => {
          this.#finishCollector(
            nonce,
            collector,
            new GatewayClientError('TIMEOUT', `member request ${nonce} timed out after ${timeout} ms`),
          );
        }, timeout),
        resolve: resolve as (result: GuildMembersResult) => void,
        reject,
      };
      this.#collectors.set(nonce, collector);
    });
    this.send({ op: GatewayOpcodes.RequestGuildMembers, d }).catch((error: Error) => {
      const collector = this.#collectors.get(nonce);
      if (collector) this.#finishCollector(nonce, collector, error);
    });
    return result;
  }

  // --- connection lifecycle -------------------------------------------------------------------------------------

  #checkCompression(): void {
    if (this.#options.compression === 'zstd-stream') {
      try {
        createZstdStreamInflater().close();
      } catch (error) {
        throw new GatewayClientError(
          'UNSUPPORTED_COMPRESSION',
          'zstd-stream is not available in this runtime (needs node:zlib zstd, Node >= 22.15, or the zstd-napi package); use zlib-stream',
          { cause: error },
        );
      }
    }
  }

  #compression(): 'zlib-stream' | 'zstd-stream' | null {
    const compression = this.#options.compression === undefined ? 'zlib-stream' : this.#options.compression;
    return compression === 'payload' ? null : compression;
  }

  #open(recovery: Recovery): void {
    this.#reconnectTimer = undefined;
    if (this.#status === 'destroyed') return;
    const resume = recovery === 'resume' && this.#session !== null;
    const base = resume ? (this.#session as SessionInfo).resumeUrl : (this.#gatewayUrl as string);
    let url: string;
    try {
      url = formatGatewayUrl(base, { encoding: this.encoding.name, compress: this.#compression() });
    } catch (error) {
      this.#fail(new GatewayClientError('INVALID_OPTIONS', `bad gateway url: ${base}`, { cause: error }));
      return;
    }
    this.#setStatus('connecting');
    const maxOutput = this.#options.maxPayloadBytes;
    const limits = maxOutput === undefined ? {} : { maxOutput };
    const compression = this.#compression();
    this.#inflater =
      compression === 'zlib-stream'
        ? createZlibStreamInflater(limits)
        : compression === 'zstd-stream'
          ? createZstdStreamInflater(limits)
          : null;
    this.#queue.reset();
    this.#acked = true;
    this.emit('debug', `[shard ${this.shardId}] connecting to ${url} (${resume ? 'resume' : 'identify'})`);
    let ws: WebSocketLike;
    try {
      ws = new this.#WebSocket(url);
    } catch (error) {
      this.emit('error', error as Error);
      this.#scheduleReconnect(recovery, 0);
      return;
    }
    this.#ws = ws;
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (event) => {
      if (this.#ws === ws) this.#onFrame(event.data, resume);
    };
    ws.onclose = (event) => {
      if (this.#ws === ws) this.#onSocketClose(event.code, event.reason);
    };
    ws.onerror = (event) => {
      if (this.#ws !== ws) return;
      const message = (event as { message?: string; error?: Error }).message ?? 'websocket error';
      this.emit('debug', `[shard ${this.shardId}] socket error: ${message}`);
    };
    this.#helloTimer = setTimeout(() => {
      this.emit('debug', `[shard ${this.shardId}] no Hello within the timeout`);
      this.#drop(resume ? 'resume' : 'identify', RESUMABLE_CLOSE, 'no hello', true);
    }, this.#options.helloTimeout ?? 20_000);
  }

  #onFrame(data: unknown, resume: boolean): void {
    let payload: unknown;
    try {
      if (typeof data === 'string') {
        payload = this.encoding.decode(data);
      } else {
        const bytes = toBytes(data);
        if (bytes === null) throw new GatewayClientError('DECODE_FAILED', 'unsupported frame type');
        if (this.#inflater) {
          const inflated = this.#inflater.push(bytes);
          if (inflated === null) return;
          payload = this.encoding.decode(inflated);
        } else if (this.encoding.name === 'json' && bytes[0] === 0x78) {
          // Payload compression: a complete zlib stream (0x78 header; JSON text never starts with "x").
          const limits =
            this.#options.maxPayloadBytes === undefined ? {} : { maxOutput: this.#options.maxPayloadBytes };
          payload = this.encoding.decode(inflatePayload(bytes, limits));
        } else {
          payload = this.encoding.decode(bytes);
        }
      }
      if (!isGatewayPayload(payload)) throw new GatewayClientError('DECODE_FAILED', 'frame is not a gateway payload');
    } catch (error) {
      const wrapped =
        error instanceof GatewayClientError
          ? error
          : new GatewayClientError('DECODE_FAILED', `undecodable frame: ${(error as Error).message}`, {
              cause: error,
            });
      this.emit('error', wrapped);
      // The stream context (if any) cannot be trusted after a bad frame: new connection, resume.
      this.#drop('resume', RESUMABLE_CLOSE, 'decode error', false);
      return;
    }
    this.#onPayload(payload as { op: number; d: unknown; s: number | null; t: string | null }, resume);
  }

  #onPayload(payload: { op: number; d: unknown; s: number | null; t: string | null }, resume: boolean): void {
    switch (payload.op) {
      case GatewayOpcodes.Dispatch:
        this.#onDispatch(payload);
        return;
      case GatewayOpcodes.Heartbeat:
        this.emit('debug', `[shard ${this.shardId}] server requested a heartbeat`);
        this.#sendHeartbeat();
        return;
      case GatewayOpcodes.Reconnect:
        this.emit('debug', `[shard ${this.shardId}] op 7 reconnect`);
        this.#drop('resume', RESUMABLE_CLOSE, 'reconnect requested', false);
        return;
      case GatewayOpcodes.InvalidSession: {
        const resumable = payload.d === true && this.#session !== null;
        this.emit('debug', `[shard ${this.shardId}] op 9 invalid session (resumable: ${payload.d === true})`);
        if (resumable) {
          this.#drop('resume', RESUMABLE_CLOSE, 'invalid session (resumable)', false);
        } else {
          this.#setSession(null);
          const { min, max } = this.#options.invalidSessionDelay ?? { min: 1000, max: 5000 };
          this.#drop('identify', 1000, 'invalid session', false, min + (max - min) * this.#random());
        }
        return;
      }
      case GatewayOpcodes.Hello:
        this.#onHello(payload.d as { heartbeat_interval?: unknown }, resume);
        return;
      case GatewayOpcodes.HeartbeatAck:
        this.#acked = true;
        this.#latency = Date.now() - this.#lastHeartbeatAt;
        this.emit('heartbeat', this.#latency);
        return;
      default:
        this.emit('debug', `[shard ${this.shardId}] ignored op ${payload.op}`);
    }
  }

  #onHello(d: { heartbeat_interval?: unknown } | null, resume: boolean): void {
    const interval = d?.heartbeat_interval;
    if (typeof interval !== 'number' || !(interval > 0)) {
      this.emit('error', new GatewayClientError('DECODE_FAILED', 'Hello without a valid heartbeat_interval'));
      this.#drop('resume', RESUMABLE_CLOSE, 'bad hello', false);
      return;
    }
    clearTimeout(this.#helloTimer);
    this.#helloTimer = undefined;
    this.#heartbeatInterval = interval;
    this.#startHeartbeat();
    if (resume && this.#session !== null) this.#resume();
    else void this.#identify();
  }

  #startHeartbeat(): void {
    this.#stopHeartbeat();
    const interval = this.#heartbeatInterval;
    // The first beat is jittered so shards (and clients) reconnecting together do not beat in step.
    this.#heartbeatTimer = setTimeout(() => {
      this.#beat();
      this.#heartbeatTimer = setInterval(() => this.#beat(), interval);
    }, interval * this.#random());
  }

  #stopHeartbeat(): void {
    if (this.#heartbeatTimer !== undefined) {
      clearTimeout(this.#heartbeatTimer);
      clearInterval(this.#heartbeatTimer);
    }
    this.#heartbeatTimer = undefined;
  }

  #beat(): void {
    if (!this.#acked) {
      this.emit('debug', `[shard ${this.shardId}] no heartbeat ACK since the last heartbeat: zombie connection`);
      this.#drop('resume', RESUMABLE_CLOSE, 'zombie connection', true);
      return;
    }
    this.#acked = false;
    this.#sendHeartbeat();
  }

  #sendHeartbeat(): void {
    const sent = this.#queue.sendPriority(() => {
      this.#lastHeartbeatAt = Date.now();
      this.#write({ op: GatewayOpcodes.Heartbeat, d: this.#sequence });
    });
    if (!sent) this.emit('debug', `[shard ${this.shardId}] heartbeat dropped: command budget exhausted`);
  }

  async #identify(): Promise<void> {
    const ws = this.#ws;
    this.#setStatus('identifying');
    this.#sequence = null;
    if (this.#options.identifyGate) {
      try {
        await this.#options.identifyGate(this.shardId);
      } catch (error) {
        this.emit('error', error as Error);
        return;
      }
      if (this.#ws !== ws || ws === null) return; // the socket changed while we waited for the bucket
    }
    const o = this.#options;
    const d: Record<string, unknown> = {
      token: o.token.startsWith('Bot ') ? o.token.slice(4) : o.token,
      intents: o.intents,
      properties: o.properties ?? defaultProperties(),
    };
    if (o.shard) d.shard = o.shard;
    if (o.presence) d.presence = o.presence;
    if (o.largeThreshold !== undefined) d.large_threshold = o.largeThreshold;
    if (o.compression === 'payload') d.compress = true;
    this.emit('debug', `[shard ${this.shardId}] identifying`);
    this.#queue.sendPriority(() => this.#write({ op: GatewayOpcodes.Identify, d }));
  }

  #resume(): void {
    const session = this.#session as SessionInfo;
    this.#setStatus('resuming');
    this.emit('debug', `[shard ${this.shardId}] resuming ${session.sessionId} at seq ${this.#sequence}`);
    this.#queue.sendPriority(() =>
      this.#write({
        op: GatewayOpcodes.Resume,
        d: {
          token: this.#options.token.startsWith('Bot ') ? this.#options.token.slice(4) : this.#options.token,
          session_id: session.sessionId,
          seq: this.#sequence ?? session.sequence,
        },
      }),
    );
  }

  #onDispatch(payload: { op: number; d: unknown; s: number | null; t: string | null }): void {
    const s = payload.s;
    const t = payload.t;
    if (typeof t !== 'string') return;
    if (typeof s === 'number') {
      // A resume replays from the seq we sent; anything at or below what we already delivered is a duplicate.
      if (this.#sequence !== null && s <= this.#sequence) {
        this.emit('debug', `[shard ${this.shardId}] dropped duplicate dispatch ${t} s=${s}`);
        return;
      }
      this.#sequence = s;
      if (this.#session) this.#session.sequence = s;
    }
    const dispatch = payload as DispatchPayload;
    if (t === 'READY') {
      const d = payload.d as GatewayReadyDispatchData;
      this.#setSession({
        sessionId: d.session_id,
        sequence: this.#sequence ?? 0,
        resumeUrl: d.resume_gateway_url || (this.#gatewayUrl as string),
      });
      this.#becomeReady();
      this.emit('ready', d);
    } else if (t === 'RESUMED') {
      this.emit('debug', `[shard ${this.shardId}] resumed`);
      this.#becomeReady();
      this.emit('session', this.session);
      this.emit('resumed');
    } else if (t === 'GUILD_MEMBERS_CHUNK' || t === 'RATE_LIMITED') {
      this.#onMemberAnswer(t, payload.d);
    }
    this.emit('dispatch', dispatch);
    (this.emit as (event: string, ...args: unknown[]) => boolean)(t, payload.d, dispatch);
  }

  #becomeReady(): void {
    this.#attempt = 0;
    this.#setStatus('ready');
    this.#queue.resume();
    const waiters = this.#connectWaiters;
    this.#connectWaiters = [];
    for (const waiter of waiters) waiter.resolve();
  }

  #onMemberAnswer(t: string, data: unknown): void {
    const d = data as Record<string, unknown> | null;
    if (t === 'RATE_LIMITED') {
      const meta = d?.meta as { nonce?: string } | undefined;
      const collector = meta?.nonce === undefined ? undefined : this.#collectors.get(meta.nonce);
      if (collector && meta?.nonce !== undefined) {
        this.#finishCollector(
          meta.nonce,
          collector,
          new GatewayRateLimitError(Number(d?.opcode ?? 8), Number(d?.retry_after ?? 0)),
        );
      }
      return;
    }
    const nonce = d?.nonce;
    if (typeof nonce !== 'string') return;
    const collector = this.#collectors.get(nonce);
    if (!collector) return;
    const index = Number(d?.chunk_index ?? 0);
    const count = Number(d?.chunk_count ?? 1);
    if (collector.seen.has(index)) return;
    collector.seen.add(index);
    if (Array.isArray(d?.members)) collector.members.push(...d.members);
    if (Array.isArray(d?.not_found)) collector.notFound.push(...(d.not_found as string[]).map(String));
    if (Array.isArray(d?.presences)) collector.presences.push(...d.presences);
    if (collector.seen.size >= count) {
      this.#finishCollector(nonce, collector, null, {
        guildId: collector.guildId,
        nonce,
        members: collector.members,
        notFound: collector.notFound,
        presences: collector.presences,
        chunkCount: count,
      });
    }
  }

  #finishCollector(nonce: string, collector: MemberCollector, error: Error | null, result?: GuildMembersResult): void {
    clearTimeout(collector.timer);
    this.#collectors.delete(nonce);
    if (error) collector.reject(error);
    else collector.resolve(result as GuildMembersResult);
  }

  /** Detaches the current socket and stops its timers; returns it (to be closed by the caller). */
  #teardown(): WebSocketLike | null {
    const ws = this.#ws;
    this.#ws = null;
    this.#stopHeartbeat();
    clearTimeout(this.#helloTimer);
    clearTimeout(this.#reconnectTimer);
    this.#helloTimer = undefined;
    this.#reconnectTimer = undefined;
    // A partial zlib-stream frame buffered here belongs to the old deflate context: discard it with the inflater.
    this.#inflater?.close();
    this.#inflater = null;
    this.#queue.pause();
    if (ws) {
      ws.onmessage = null;
      ws.onclose = null;
      ws.onerror = () => {};
    }
    return ws;
  }

  #closeSocket(ws: WebSocketLike, code: number, reason: string, terminate: boolean): void {
    try {
      if (terminate && typeof ws.terminate === 'function') ws.terminate();
      else if (ws.readyState <= OPEN) ws.close(code, reason);
      else if (typeof ws.terminate === 'function') ws.terminate();
    } catch {
      // closing a socket that is already gone
    }
  }

  /** This client ends the current socket and reconnects. */
  #drop(recovery: Recovery, code: number, reason: string, terminate: boolean, delay = 0): void {
    const ws = this.#teardown();
    if (ws) this.#closeSocket(ws, code, reason, terminate);
    const next = recovery === 'resume' && this.#session !== null ? 'resume' : 'identify';
    this.emit('closed', { code, reason, byClient: true, next });
    this.#scheduleReconnect(next, delay);
  }

  /** The server (or the network) closed the socket. */
  #onSocketClose(code: number, reason: string): void {
    this.#teardown();
    const info = closeCodeInfo(code);
    this.emit('debug', `[shard ${this.shardId}] closed by server: ${code} ${info.description} ${reason}`);
    if (info.fatal) {
      this.#setSession(null);
      this.#setStatus('closed');
      const error = new GatewayCloseError(code, info.description, reason);
      this.emit('closed', { code, reason, byClient: false, next: 'none' });
      this.#queue.clear(error);
      this.emit('error', error);
      this.#failWaiters(error);
      for (const [nonce, collector] of this.#collectors) this.#finishCollector(nonce, collector, error);
      return;
    }
    if (info.reconnect) this.#setSession(null);
    const next = this.#session !== null ? 'resume' : 'identify';
    this.emit('closed', { code, reason, byClient: false, next });
    this.#scheduleReconnect(next, 0);
  }

  #scheduleReconnect(recovery: Recovery, minDelay: number): void {
    if (this.#status === 'destroyed') return;
    this.#setStatus('reconnecting');
    const delay = Math.max(minDelay, backoffDelay(this.#attempt, this.#options.backoff, this.#random));
    this.#attempt++;
    this.emit('debug', `[shard ${this.shardId}] reconnecting (${recovery}) in ${delay} ms`);
    this.#reconnectTimer = setTimeout(() => this.#open(recovery), delay);
  }

  #fail(error: Error): void {
    this.#teardown();
    this.#setStatus('closed');
    this.emit('error', error);
    this.#failWaiters(error);
  }

  #failWaiters(error: Error): void {
    const waiters = this.#connectWaiters;
    this.#connectWaiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  #setSession(session: SessionInfo | null): void {
    const had = this.#session !== null;
    this.#session = session;
    if (session === null) this.#sequence = null;
    if (session !== null || had) this.emit('session', this.session);
  }

  #setStatus(status: ConnectionStatus): void {
    if (this.#status === status) return;
    this.#status = status;
    this.emit('status', status);
  }

  #write(payload: { op: number; d: unknown }): void {
    const ws = this.#ws;
    if (ws === null || ws.readyState !== OPEN) return;
    const data = this.encoding.encode(payload);
    ws.send(data);
  }
}
