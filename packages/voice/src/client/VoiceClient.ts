import type { Readable } from 'node:stream';
import { VoiceOpcode } from '@concord/protocol';
import { EventEmitter } from 'eventemitter3';
import type { EncryptionMode } from '../crypto/modes.js';
import { VoiceError } from '../errors.js';
import type { JitterStats } from '../jitter/types.js';
import { SILENCE_FRAME } from '../opus/opus.js';
import type { ReceptionStats } from '../rtcp/ReceptionStats.js';
import { CLIENT_POSITION_OP } from '../spatial/clientPosition.js';
import type { Position } from '../spatial/spatialize.js';
import {
  closeAllowsResume,
  heartbeatInterval,
  identifyPayload,
  readReady,
  readSessionDescription,
  resumePayload,
  type ServerData,
  selectProtocolPayload,
} from './clientPayloads.js';
import { MediaPath } from './MediaPath.js';
import { MediaSession } from './MediaSession.js';
import type { OpusEncoderSettings } from './OpusBitrateController.js';
import type { SubscribeOptions, SubscriptionTarget } from './ReceiveSubscription.js';
import { SubscriptionRegistry } from './SubscriptionRegistry.js';
import type { VideoStats } from './VideoEvents.js';
import { type SendVideoFrameOptions, VideoSession } from './VideoSession.js';
import type { VoiceClientEvents } from './VoiceClientEvents.js';
import { defaultVoiceClientOptions, type VoiceClientOptions } from './VoiceClientOptions.js';
import {
  type ConnectAttempt,
  releaseState,
  type VoiceClientIdentifyingState,
  type VoiceClientState,
  type VoiceClientUdpHandshakingState,
} from './VoiceClientState.js';
import { VoiceGatewaySocket } from './VoiceGatewaySocket.js';
import { VoiceUdpSocket } from './VoiceUdpSocket.js';
import type { AllocatedLayer } from './videoPayloads.js';

export type { ReceivedPacket, ReceivedReport, VoiceClientEvents } from './VoiceClientEvents.js';
export type { VoiceClientOptions } from './VoiceClientOptions.js';

/** Resumes in a row before a dropped gateway connection ends the session. */
const MAX_RESUME_ATTEMPTS = 3;

/**
 * A small voice client (for bots and tests): gateway, IP discovery, encryption, sending and receiving Opus. Each
 * connection phase is one `VoiceClientState` (see there); this class moves between them (signalling) and carries what
 * outlives them: options, the users the server announced, the media path (RTP counters, encoder, RTCP feedback) and
 * the receive subscriptions.
 */
export class VoiceClient extends EventEmitter<VoiceClientEvents> {
  /** Our SSRC, from the last Ready (0 before the first). */
  public ssrc = 0;
  /** The mode of the current key (null before the Session Description, and after `updateServer`). */
  public mode: EncryptionMode | null = null;
  /** Packets received but unusable (bad MAC, replay, garbage). */
  public dropped = 0;
  /**
   * Whether the server mixes for us: null until Ready, or when we did not ask (`mixed` option) or the server does not
   * say (not a Concord server); false when a Concord server refused (its mixing capacity is full): we then receive
   * each speaker's stream, as any Discord client.
   */
  public mixed: boolean | null = null;
  private current: VoiceClientState = { code: 'closed' };
  private options: VoiceClientOptions;
  /** SSRC → user, as announced by the server (Speaking); kept through resumes, cleared for a new server. */
  private readonly users = new Map<number, string>();
  private readonly mediaPath: MediaPath;
  private readonly subscriptions = new SubscriptionRegistry(this);
  private speaking = false;
  /** Video both ways, when the `video` option asked for it (see VideoSession). */
  private readonly video: VideoSession | null;

  public constructor(options: VoiceClientOptions) {
    super();
    this.options = { ...options };
    this.mediaPath = new MediaPath(this, this.users, options);
    this.video = options.video ? new VideoSession(this, this.users, options.video, this.videoTransport) : null;
    this.mediaPath.video = this.video;
  }

  /** The connection phase and what belongs to it; every change is announced by `stateChange`. */
  public get state(): VoiceClientState {
    return this.current;
  }

  /** Moves to `next`, closing what the old state held that the new one does not take over. */
  private set state(next: VoiceClientState) {
    const prev = this.current;
    releaseState(prev, next);
    this.current = next;
    this.emit('stateChange', prev, next);
  }

  /** The encoder settings `sendPcm` uses now (null when adaptation is off). */
  public get encoderSettings(): Readonly<OpusEncoderSettings> | null {
    return this.mediaPath.encoderSettings;
  }

  /** Reception statistics (RFC 3550) of every stream received, keyed by SSRC. */
  public receptionStats(): ReadonlyMap<number, ReceptionStats> {
    return this.mediaPath.feedback.reception;
  }

  /** Builds and sends one receiver report now (normally the timer does it every `rtcpInterval`). */
  public sendReceiverReport(): void {
    const state = this.current;
    if (state.code === 'ready' || state.code === 'resuming') this.mediaPath.sendReport(state);
  }

  /** Connects and resolves once the session key arrived (audio can be sent from then on). */
  public connect(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => this.end(new VoiceError('VOICE_CONNECT_TIMEOUT', 'voice connection timed out')),
        this.options.timeout ?? defaultVoiceClientOptions.timeout,
      );
      const connect: ConnectAttempt = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.state = { code: 'opening-ws', ws: this.openGateway(-1), connect };
    });
  }

  /** Sends one pre-encoded Opus frame (20 ms). */
  public sendOpus(frame: Uint8Array): void {
    const state = this.current;
    if (state.code !== 'ready' && state.code !== 'resuming') throw new VoiceError('VOICE_NOT_READY', 'not connected');
    if (!this.speaking) this.setSpeaking(true);
    this.mediaPath.send(state, frame);
  }

  /**
   * Where this client is now (voice op 1001), for a positional channel whose positions come from its clients
   * ("trusted mode", `PositionalOptions.positionSource: 'client'`); other channels ignore it. Send at the game's tick
   * rate, at most the channel's `clientPositionRate` per second (default 60): the server drops the rest.
   */
  public sendPosition(position: Position): void {
    const state = this.current;
    if (state.code !== 'ready') throw new VoiceError('VOICE_NOT_READY', 'not connected');
    state.ws.send(CLIENT_POSITION_OP, position);
  }

  /** Encodes and sends one 20 ms frame of 48 kHz stereo s16le PCM (3840 bytes). */
  public sendPcm(pcm: Buffer): void {
    this.sendOpus(this.mediaPath.encode(pcm));
  }

  /**
   * Sends one encoded video frame (VP8 frame or H.264 Annex B access unit) on a layer (`rid`, default the first),
   * packetized and sealed with the session's mode; the first frame announces the camera (op 12). Returns the packets
   * sent. Needs the `video` option and a server that allocated streams in Ready.
   */
  public sendVideoFrame(frame: Uint8Array, options?: SendVideoFrameOptions): number {
    return this.requireVideo().sendFrame(frame, options);
  }

  /** Camera on (op 12, every layer active) or off (video SSRC 0). */
  public setVideoActive(active: boolean): void {
    this.requireVideo().setActive(active);
  }

  /** The receive bandwidth cap sent as REMB (the SFU picks layers that fit); null stops REMB. */
  public setMaxReceiveBitrate(bitrate: number | null): void {
    this.requireVideo().setMaxReceiveBitrate(bitrate);
  }

  /** Op 15 Media Sink Wants: the quality (0-100) wanted of every video stream, or of one SSRC. */
  public setWantedVideoQuality(quality: number, ssrc?: number): void {
    this.requireVideo().setWantedQuality(quality, ssrc);
  }

  /** Asks (PLI) for a keyframe of a user's or an SSRC's video. */
  public requestKeyframe(target: string | number): void {
    this.requireVideo().requestKeyframe(target);
  }

  /** Our video layers with the SSRCs the server allocated (empty without video or before Ready). */
  public get videoLayers(): readonly AllocatedLayer[] {
    return this.video?.layers ?? [];
  }

  /** Video counters (null without the `video` option). */
  public get videoStats(): Readonly<VideoStats> | null {
    return this.video ? { ...this.video.stats } : null;
  }

  private requireVideo(): VideoSession {
    if (!this.video) throw new VoiceError('VOICE_NO_VIDEO', 'video was not negotiated (the `video` option)');
    return this.video;
  }

  /** How the video session sends: through whichever session is current, sealed with its key. */
  private readonly videoTransport = {
    sendRtp: (packet: { header: Buffer; payload: Buffer }): boolean => {
      const state = this.current;
      if (state.code !== 'ready' && state.code !== 'resuming') return false;
      state.udp.send(state.media.seal(packet.header, packet.payload));
      return true;
    },
    sendRtcp: (plain: Buffer): boolean => {
      const state = this.current;
      if (state.code !== 'ready' && state.code !== 'resuming') return false;
      state.udp.send(state.media.sealRtcp(plain));
      return true;
    },
    sendOp: (op: number, d: unknown): boolean => {
      const state = this.current;
      if (!('ws' in state)) return false;
      state.ws.send(op, d);
      return true;
    },
    audioSsrc: (): number => this.ssrc,
  };

  /** Sends the five silence frames a pause starts with, then tells the server we stopped speaking. */
  public pause(): void {
    if (!this.speaking) return;
    for (let i = 0; i < 5; i++) this.sendOpus(SILENCE_FRAME);
    this.setSpeaking(false);
  }

  /**
   * A stream of one user's (or one SSRC's) audio, ended when the user leaves, on `unsubscribe` or when the client
   * disconnects.
   *
   * Without options: object mode, one Opus Buffer per packet, in arrival order (as before; the `packet` event has the
   * same raw packets). With options: `ReceivedFrame` objects. By default they go through an adaptive jitter buffer
   * pulled every 20 ms by one playout clock shared by all subscriptions of this client: in sequence order, losses
   * `concealed` (libopus PLC when `decode` is on), one `silence` frame when a pause begins. `jitter: false` yields one
   * frame per packet as it arrives. `decode: true` adds 48 kHz stereo PCM (one opusscript decoder per subscription,
   * freed when it ends: opusscript allows about 20 codecs per process).
   */
  public subscribe(target: SubscriptionTarget): Readable;
  public subscribe(target: SubscriptionTarget, options: SubscribeOptions): Readable;
  public subscribe(target: SubscriptionTarget, options?: SubscribeOptions): Readable {
    return options === undefined
      ? this.subscriptions.subscribeRaw(target)
      : this.subscriptions.subscribe(target, options);
  }

  /** Ends every subscription to this user or SSRC (the raw ones too). */
  public unsubscribe(target: SubscriptionTarget): void {
    this.subscriptions.unsubscribe(target);
  }

  /** Jitter buffer statistics of the newest buffered subscription to this user or SSRC (null if there is none). */
  public receiveStats(target: SubscriptionTarget): JitterStats | null {
    return this.subscriptions.stats(target);
  }

  /** Maps SSRCs to users as announced by the server. */
  public userOf(ssrc: number): string | null {
    return this.users.get(ssrc) ?? null;
  }

  /**
   * Follows a new VOICE_SERVER_UPDATE (pass its `{token, endpoint}`): the voice node carrying the call died or the
   * call was moved. Leaves the old server (close 1000 if it is still there), then identifies on the new endpoint with
   * the new token; resolves once audio can be sent again. `endpoint: null` (Discord's "the voice server is gone, wait
   * for the next one") only disconnects. Subscriptions by user id survive the move; SSRCs change, so SSRC-keyed ones
   * see nothing more. Events and `packet` listeners are kept.
   */
  public async updateServer(update: { token: string; endpoint: string | null }): Promise<void> {
    const state = this.current;
    // A connect still in progress (an earlier update) gives way to this one.
    if ('connect' in state)
      state.connect.reject(new VoiceError('VOICE_SUPERSEDED', 'voice server changed while connecting'));
    this.mode = null;
    this.users.clear();
    this.mediaPath.feedback.clear();
    this.video?.clear();
    this.speaking = false;
    // Leave first (closing the old sockets before opening new ones: the old server's goodbye then does not compete
    // with the new handshake). That close is neither resumed nor reported as `close`.
    if (state.code !== 'closed') this.state = { code: 'closed' };
    if (update.endpoint === null) return;
    this.options = { ...this.options, endpoint: update.endpoint, token: update.token };
    await this.connect();
  }

  /** Leaves the call (close 1000: the server ends the session at once). */
  public disconnect(): void {
    this.end(new VoiceError('VOICE_CLOSED', 'disconnected while connecting'));
  }

  private gatewayUrl(): string {
    const o = this.options;
    const scheme = o.secure ? 'wss' : 'ws';
    const base = /^wss?:\/\//.test(o.endpoint) ? o.endpoint : `${scheme}://${o.endpoint}`;
    return `${base.replace(/\/?(\?.*)?$/, '/')}?v=${o.version ?? defaultVoiceClientOptions.version}`;
  }

  /** A gateway socket for a new session (seqAck -1) or a resume (the dropped socket's seqAck). */
  private openGateway(seqAck: number): VoiceGatewaySocket {
    const o = this.options;
    const ws = new VoiceGatewaySocket(this.gatewayUrl(), {
      tls: o.tls,
      version: o.version ?? defaultVoiceClientOptions.version,
      seqAck,
    });
    return ws.on('open', this.onWsOpen).on('payload', this.onWsPayload).on('close', this.onWsClose);
  }

  /**
   * Ends the session: a pending `connect()` rejects with `error`, the state becomes `closed` (closing the sockets),
   * buffered subscriptions end, and `close` follows with the gateway socket's close code once it has closed.
   */
  private end(error: Error): void {
    const state = this.current;
    if (state.code !== 'closed') {
      const { ws } = state;
      if ('connect' in state) state.connect.reject(error);
      this.state = { code: 'closed' };
      this.destroy();
      // The socket was closed (the reason we end) or is closing now (its close event is always asynchronous).
      if (ws.closeCode !== undefined) this.emit('close', ws.closeCode);
      else ws.once('close', (code) => this.emit('close', code));
    } else {
      // Already closed (e.g. between servers): what outlives the connection ends all the same.
      this.destroy();
    }
  }

  /** Frees what outlives connection phases: buffered subscriptions, the playout clock, the encoder. */
  private destroy(): void {
    this.subscriptions.endAll();
    this.mediaPath.dispose();
    this.video?.dispose();
  }

  private setSpeaking(on: boolean): void {
    this.speaking = on;
    const state = this.current;
    if ('ws' in state) state.ws.send(VoiceOpcode.Speaking, { speaking: on ? 1 : 0, delay: 0, ssrc: this.ssrc });
  }

  private readonly onWsOpen = (): void => {
    const state = this.current;
    if (state.code === 'resuming') state.ws.send(VoiceOpcode.Resume, resumePayload(this.options, state.ws.seqAck));
  };

  /**
   * After the session is up, a drop that allows it (see `closeAllowsResume`) is followed by Resume on a new socket, up
   * to three times in a row; UDP and keys are kept meanwhile. Any other close ends the session.
   */
  private readonly onWsClose = (code: number): void => {
    const state = this.current;
    if ((state.code === 'ready' || state.code === 'resuming') && closeAllowsResume(code)) {
      const attempts = state.code === 'resuming' ? state.attempts : 0;
      if (attempts < MAX_RESUME_ATTEMPTS) {
        const { udp, ssrc, media } = state;
        this.state = {
          code: 'resuming',
          ws: this.openGateway(state.ws.seqAck),
          udp,
          ssrc,
          media,
          attempts: attempts + 1,
        };
        return;
      }
    }
    this.end(new VoiceError('VOICE_CLOSED', `voice gateway closed with ${code}`));
  };

  private readonly onWsPayload = (op: number, d: ServerData): void => {
    try {
      this.onPayload(op, d);
    } catch (error) {
      this.end(error as Error);
    }
  };

  private onPayload(op: number, d: ServerData): void {
    const state = this.current;
    if (state.code === 'closed') return;
    switch (op) {
      case VoiceOpcode.Hello:
        state.ws.startHeartbeat(heartbeatInterval(d));
        // On a resume socket, Resume went out on open: no Identify.
        if (state.code === 'opening-ws') {
          state.ws.send(VoiceOpcode.Identify, identifyPayload(this.options));
          this.state = { code: 'identifying', ws: state.ws, connect: state.connect };
        }
        return;
      case VoiceOpcode.Ready:
        if (state.code === 'identifying') this.onReady(state, d);
        return;
      case VoiceOpcode.SessionDescription:
        if (state.code === 'selecting-protocol' || state.code === 'ready' || state.code === 'resuming') {
          const { mode, key } = readSessionDescription(d);
          this.mode = mode;
          const media = new MediaSession(mode, key, {
            backend: this.options.backend,
            reportIntervalMs: this.options.rtcpInterval ?? defaultVoiceClientOptions.rtcpInterval,
            onReportDue: () => this.sendReceiverReport(),
          });
          this.mediaPath.feedback.clearReception();
          const { ws, udp, ssrc } = state;
          // A new key while resuming stays resuming; otherwise the session is (again) ready.
          this.state = state.code === 'resuming' ? { ...state, media } : { code: 'ready', ws, udp, ssrc, media };
          this.video?.onSessionDescription(d as Record<string, unknown>);
          this.emit('ready', { ssrc, mode });
        }
        return;
      case VoiceOpcode.Resumed:
        if (state.code === 'resuming') {
          const { ws, udp, ssrc, media } = state;
          this.state = { code: 'ready', ws, udp, ssrc, media };
          this.emit('resumed');
        }
        return;
      case VoiceOpcode.Speaking:
        if (typeof d.user_id === 'string' && typeof d.ssrc === 'number') {
          this.users.set(d.ssrc, d.user_id);
          this.emit('speaking', { userId: d.user_id, ssrc: d.ssrc, speaking: Number(d.speaking) || 0 });
        }
        return;
      case VoiceOpcode.ClientsConnect:
        if (Array.isArray(d.user_ids)) {
          this.emit(
            'clientsConnect',
            d.user_ids.filter((u) => typeof u === 'string'),
          );
        }
        return;
      case VoiceOpcode.Video:
        this.video?.onRemoteVideo(d as Record<string, unknown>);
        return;
      case VoiceOpcode.ClientDisconnect:
        if (typeof d.user_id === 'string') this.onClientDisconnect(state, d.user_id);
        return;
      default:
        return;
    }
  }

  /** Ready: opens the UDP socket, runs IP discovery, then selects the protocol. */
  private onReady(state: VoiceClientIdentifyingState, d: ServerData): void {
    const ready = readReady(d, this.options);
    this.ssrc = ready.ssrc;
    this.mixed = ready.mixed;
    this.video?.onReady(d.streams);
    if (!ready.mode) throw new VoiceError('VOICE_NO_MODE', `no common encryption mode in ${ready.offered.join(', ')}`);
    const udp = new VoiceUdpSocket(ready.remote, { onPacket: this.onDatagram, onError: this.onUdpError });
    const handshaking: VoiceClientUdpHandshakingState = {
      code: 'udp-handshaking',
      ws: state.ws,
      connect: state.connect,
      udp,
      ssrc: ready.ssrc,
      mode: ready.mode,
    };
    this.state = handshaking;
    udp.discover(ready.ssrc).then(
      (local) => {
        // Left meanwhile (disconnect, updateServer, timeout): that closed the socket; nothing to do.
        if (this.current !== handshaking) return;
        const { ws, connect, ssrc, mode } = handshaking;
        ws.send(VoiceOpcode.SelectProtocol, selectProtocolPayload(local, mode, this.options.video));
        this.state = { code: 'selecting-protocol', ws, connect, udp, ssrc };
      },
      (error: Error) => {
        if (this.current === handshaking) this.end(error);
      },
    );
  }

  private onClientDisconnect(state: Exclude<VoiceClientState, { code: 'closed' }>, userId: string): void {
    const media = state.code === 'ready' || state.code === 'resuming' ? state.media : null;
    for (const [ssrc, user] of this.users) {
      if (user === userId) {
        this.users.delete(ssrc);
        media?.forget(ssrc);
        this.mediaPath.feedback.forget(ssrc);
      }
    }
    this.subscriptions.endUser(userId);
    this.video?.forgetUser(userId);
    this.emit('clientDisconnect', userId);
  }

  private readonly onUdpError = (error: Error): void => {
    this.emit('error', error);
  };

  /** The per-packet receive path: the state is read once, then handed down. */
  private readonly onDatagram = (msg: Buffer): void => {
    const state = this.current;
    if ((state.code === 'ready' || state.code === 'resuming') && !this.mediaPath.receive(state, msg)) this.dropped++;
  };
}
