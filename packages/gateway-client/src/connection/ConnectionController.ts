import { closeCodeInfo, type Encoding, formatGatewayUrl, GatewayOpcodes, getEncoding } from '@concord/protocol';
import type { GatewayReadyDispatchData } from '@concord/protocol/payloads';
import type { EventEmitter } from 'eventemitter3';
import IsomorphicWebSocket from 'isomorphic-ws';
import { backoffDelay } from '../backoff.js';
import { fetchGatewayBot } from '../fetchGatewayBot.js';
import { GatewayClientError, GatewayCloseError } from '../GatewayClientError.js';
import { defaultGatewayConnectionOptions, type GatewayConnectionOptions } from '../GatewayConnectionOptions.js';
import { SendQueue } from '../SendQueue.js';
import type {
  ConnectionStatus,
  DispatchPayload,
  GatewayConnectionEvents,
  SessionInfo,
  WebSocketConstructor,
  WebSocketLike,
} from '../types.js';
import { RESUMABLE_CLOSE, SESSION_ENDING_CLOSE } from './closeCodes.js';
import { assertCompressionAvailable, FrameDecoder, transportCompression } from './FrameDecoder.js';
import { GuildMemberRequests } from './GuildMemberRequests.js';
import { Heartbeat, type HeartbeatHooks } from './Heartbeat.js';
import { gatewayToken, identifyPayload } from './identifyPayload.js';
import { type InboundOpContext, type InboundPayload, inboundOpHandlers, type Recovery } from './inboundOpHandlers.js';
import { ShardSocket, type ShardSocketEvents } from './ShardSocket.js';

/**
 * The state machine behind `GatewayConnection`: the state that outlives a socket (status, session, sequence, send
 * queue, connect waiters) and the decisions of what happens next (open, Identify or Resume, drop, reconnect, fail).
 * It is the one object the socket, the op handlers and the heartbeat report to — as interfaces implemented by plain
 * methods, so a connection allocates no closure per hook (idle shards are counted in bytes).
 */
export class ConnectionController implements InboundOpContext, ShardSocketEvents, HeartbeatHooks {
  readonly shardId: number;
  readonly encoding: Encoding;
  /** A copy of the options; `presence` is updated by op 3 so the next Identify carries it. */
  readonly options: GatewayConnectionOptions;
  readonly queue: SendQueue;
  readonly heartbeat: Heartbeat;
  readonly memberRequests: GuildMemberRequests;
  readonly #events: EventEmitter<GatewayConnectionEvents>;
  readonly #WebSocket: WebSocketConstructor;
  readonly #random: () => number;
  #status: ConnectionStatus = 'idle';
  #gatewayUrl: string | null;
  #session: SessionInfo | null;
  #sequence: number | null;
  /** The current socket; null between sockets (fetching the URL, waiting to reconnect, closed). */
  #socket: ShardSocket | null = null;
  #attempt = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #connectWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];

  /** `options` are validated by the caller; `events` is the public emitter. */
  constructor(options: GatewayConnectionOptions, events: EventEmitter<GatewayConnectionEvents>) {
    this.options = { ...options };
    this.#events = events;
    this.encoding = getEncoding(options.encoding ?? defaultGatewayConnectionOptions.encoding);
    this.shardId = options.shard?.[0] ?? 0;
    this.#WebSocket = options.WebSocket ?? (IsomorphicWebSocket as unknown as WebSocketConstructor);
    this.#random = options.random ?? Math.random;
    this.#gatewayUrl = options.url ?? null;
    this.#session = options.session ? { ...options.session } : null;
    this.#sequence = this.#session?.sequence ?? null;
    this.queue = new SendQueue(options.rateLimit);
    this.memberRequests = new GuildMemberRequests(this.#random);
    this.heartbeat = new Heartbeat(this, this.#random);
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  get session(): SessionInfo | null {
    return this.#session ? { ...this.#session, sequence: this.#sequence ?? this.#session.sequence } : null;
  }

  get sequence(): number | null {
    return this.#sequence;
  }

  // --- lifecycle (the public calls) -------------------------------------------------------------------------------

  async connect(): Promise<void> {
    if (this.#status === 'destroyed') throw new GatewayClientError('DESTROYED', 'connection destroyed');
    if (this.#status === 'ready') return;
    const waiter = new Promise<void>((resolve, reject) => this.#connectWaiters.push({ resolve, reject }));
    if (this.#status === 'idle' || this.#status === 'closed') {
      this.#setStatus('connecting');
      try {
        assertCompressionAvailable(this.options.compression);
        if (this.#gatewayUrl === null) {
          if (this.options.rest === undefined) {
            throw new GatewayClientError('INVALID_OPTIONS', 'either url or rest is required');
          }
          const info = await fetchGatewayBot({
            rest: this.options.rest,
            token: this.options.token,
            ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
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

  destroy(keepSession: boolean): void {
    if (this.#status === 'destroyed') return;
    const code = keepSession ? RESUMABLE_CLOSE : SESSION_ENDING_CLOSE;
    const socket = this.#teardown();
    if (socket) socket.close(code, 'destroy', false);
    if (!keepSession) this.#setSession(null);
    else this.#events.emit('session', this.session);
    this.#setStatus('destroyed');
    const error = new GatewayClientError('DESTROYED', 'connection destroyed');
    this.queue.clear(error);
    this.#failWaiters(error);
    this.memberRequests.failAll(error);
    if (socket) this.#events.emit('closed', { code, reason: 'destroy', byClient: true, next: 'none' });
  }

  /** Writes a payload to the current socket, if it is open. */
  write(payload: { op: number; d: unknown }): void {
    this.#socket?.write(payload);
  }

  // --- InboundOpContext: what the op handlers may do ---------------------------------------------------------------

  /** op 0, the hot path. */
  dispatch(payload: InboundPayload): void {
    const s = payload.s;
    const t = payload.t;
    if (typeof t !== 'string') return;
    if (typeof s === 'number') {
      // A resume replays from the seq we sent; anything at or below what we already delivered is a duplicate.
      if (this.#sequence !== null && s <= this.#sequence) {
        this.debug(`dropped duplicate dispatch ${t} s=${s}`);
        return;
      }
      this.#sequence = s;
      if (this.#session) this.#session.sequence = s;
    }
    const dispatch = payload as DispatchPayload;
    const events = this.#events;
    if (t === 'READY') {
      const d = payload.d as GatewayReadyDispatchData;
      this.#setSession({
        sessionId: d.session_id,
        sequence: this.#sequence ?? 0,
        resumeUrl: d.resume_gateway_url || (this.#gatewayUrl as string),
      });
      this.#becomeReady();
      events.emit('ready', d);
    } else if (t === 'RESUMED') {
      this.debug('resumed');
      this.#becomeReady();
      events.emit('session', this.session);
      events.emit('resumed');
    } else if (t === 'GUILD_MEMBERS_CHUNK' || t === 'RATE_LIMITED') {
      this.memberRequests.onAnswer(t, payload.d);
    }
    events.emit('dispatch', dispatch);
    (events.emit as (event: string, ...args: unknown[]) => boolean)(t, payload.d, dispatch);
  }

  sendHeartbeat(): void {
    const sent = this.queue.sendPriority(() => {
      this.heartbeat.markSent();
      this.#socket?.write({ op: GatewayOpcodes.Heartbeat, d: this.#sequence });
    });
    if (!sent) this.debug('heartbeat dropped: command budget exhausted');
  }

  heartbeatAck(): void {
    this.#events.emit('heartbeat', this.heartbeat.ack());
  }

  hello(heartbeatInterval: number): void {
    const socket = this.#socket;
    if (socket === null) return;
    socket.helloReceived();
    this.heartbeat.start(heartbeatInterval);
    if (socket.resume && this.#session !== null) this.#resume();
    else void this.#identify();
  }

  hasSession(): boolean {
    return this.#session !== null;
  }

  clearSession(): void {
    this.#setSession(null);
  }

  invalidSessionDelay(): number {
    const { min, max } = this.options.invalidSessionDelay ?? defaultGatewayConnectionOptions.invalidSessionDelay;
    return min + (max - min) * this.#random();
  }

  /** This client ends the current socket and reconnects. */
  drop(recovery: Recovery, code: number, reason: string, terminate: boolean, delay = 0): void {
    const socket = this.#teardown();
    if (socket) socket.close(code, reason, terminate);
    const next = recovery === 'resume' && this.#session !== null ? 'resume' : 'identify';
    this.#events.emit('closed', { code, reason, byClient: true, next });
    this.#scheduleReconnect(next, delay);
  }

  error(error: Error): void {
    this.#events.emit('error', error);
  }

  debug(message: string): void {
    this.#events.emit('debug', `[shard ${this.shardId}] ${message}`);
  }

  // --- ShardSocketEvents and HeartbeatHooks ------------------------------------------------------------------------

  payload(payload: InboundPayload): void {
    const handler = inboundOpHandlers[payload.op];
    if (handler !== undefined) handler(this, payload);
    else this.debug(`ignored op ${payload.op}`);
  }

  decodeError(error: GatewayClientError): void {
    this.#events.emit('error', error);
    // The stream context (if any) cannot be trusted after a bad frame: new connection, resume.
    this.drop('resume', RESUMABLE_CLOSE, 'decode error', false);
  }

  helloTimeout(): void {
    this.debug('no Hello within the timeout');
    this.drop(this.#socket?.resume ? 'resume' : 'identify', RESUMABLE_CLOSE, 'no hello', true);
  }

  zombie(): void {
    this.debug('no heartbeat ACK since the last heartbeat: zombie connection');
    this.drop('resume', RESUMABLE_CLOSE, 'zombie connection', true);
  }

  /** The server (or the network) closed the socket. */
  socketClosed(code: number, reason: string): void {
    this.#teardown();
    const info = closeCodeInfo(code);
    this.debug(`closed by server: ${code} ${info.description} ${reason}`);
    if (info.fatal) {
      this.#setSession(null);
      this.#setStatus('closed');
      const error = new GatewayCloseError(code, info.description, reason);
      this.#events.emit('closed', { code, reason, byClient: false, next: 'none' });
      this.queue.clear(error);
      this.#events.emit('error', error);
      this.#failWaiters(error);
      this.memberRequests.failAll(error);
      return;
    }
    if (info.reconnect) this.#setSession(null);
    const next = this.#session !== null ? 'resume' : 'identify';
    this.#events.emit('closed', { code, reason, byClient: false, next });
    this.#scheduleReconnect(next, 0);
  }

  // --- internals ---------------------------------------------------------------------------------------------------

  #open(recovery: Recovery): void {
    this.#reconnectTimer = undefined;
    if (this.#status === 'destroyed') return;
    const resume = recovery === 'resume' && this.#session !== null;
    const base = resume ? (this.#session as SessionInfo).resumeUrl : (this.#gatewayUrl as string);
    const compression = transportCompression(this.options.compression);
    let url: string;
    try {
      url = formatGatewayUrl(base, { encoding: this.encoding.name, compress: compression });
    } catch (error) {
      this.#fail(new GatewayClientError('INVALID_OPTIONS', `bad gateway url: ${base}`, { cause: error }));
      return;
    }
    this.#setStatus('connecting');
    this.queue.reset();
    this.heartbeat.reset();
    this.debug(`connecting to ${url} (${resume ? 'resume' : 'identify'})`);
    let ws: WebSocketLike;
    try {
      ws = new this.#WebSocket(url);
    } catch (error) {
      this.#events.emit('error', error as Error);
      this.#scheduleReconnect(recovery, 0);
      return;
    }
    const decoder = new FrameDecoder(this.encoding, compression, this.options.maxPayloadBytes);
    const helloTimeout = this.options.helloTimeout ?? defaultGatewayConnectionOptions.helloTimeout;
    this.#socket = new ShardSocket(ws, { encoding: this.encoding, decoder, resume, helloTimeout }, this);
  }

  async #identify(): Promise<void> {
    const socket = this.#socket;
    this.#setStatus('identifying');
    this.#sequence = null;
    if (this.options.identifyGate) {
      try {
        await this.options.identifyGate(this.shardId);
      } catch (error) {
        this.#events.emit('error', error as Error);
        return;
      }
      if (this.#socket !== socket || socket === null) return; // the socket changed while we waited for the bucket
    }
    const d = identifyPayload(this.options);
    this.debug('identifying');
    this.queue.sendPriority(() => this.#socket?.write({ op: GatewayOpcodes.Identify, d }));
  }

  #resume(): void {
    const session = this.#session as SessionInfo;
    this.#setStatus('resuming');
    this.debug(`resuming ${session.sessionId} at seq ${this.#sequence}`);
    this.queue.sendPriority(() =>
      this.#socket?.write({
        op: GatewayOpcodes.Resume,
        d: {
          token: gatewayToken(this.options.token),
          session_id: session.sessionId,
          seq: this.#sequence ?? session.sequence,
        },
      }),
    );
  }

  #becomeReady(): void {
    this.#attempt = 0;
    this.#setStatus('ready');
    this.queue.resume();
    const waiters = this.#connectWaiters;
    this.#connectWaiters = [];
    for (const waiter of waiters) waiter.resolve();
  }

  /** Detaches the current socket and stops its timers; returns it (to be closed by the caller). */
  #teardown(): ShardSocket | null {
    const socket = this.#socket;
    this.#socket = null;
    this.heartbeat.stop();
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    socket?.detach();
    this.queue.pause();
    return socket;
  }

  #scheduleReconnect(recovery: Recovery, minDelay: number): void {
    if (this.#status === 'destroyed') return;
    this.#setStatus('reconnecting');
    const delay = Math.max(minDelay, backoffDelay(this.#attempt, this.options.backoff, this.#random));
    this.#attempt++;
    this.debug(`reconnecting (${recovery}) in ${delay} ms`);
    this.#reconnectTimer = setTimeout(() => this.#open(recovery), delay);
  }

  #fail(error: Error): void {
    this.#teardown();
    this.#setStatus('closed');
    this.#events.emit('error', error);
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
    if (session !== null || had) this.#events.emit('session', this.session);
  }

  #setStatus(status: ConnectionStatus): void {
    if (this.#status === status) return;
    this.#status = status;
    this.#events.emit('status', status);
  }
}
