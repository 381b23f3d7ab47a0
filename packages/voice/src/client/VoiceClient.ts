import { randomInt } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { Readable } from 'node:stream';
import { VoiceOpcode } from '@concord/protocol';
import { EventEmitter } from 'eventemitter3';
import { WebSocket } from 'ws';
import type { CryptoBackend } from '../crypto/backends.js';
import {
  chooseEncryptionMode,
  ENCRYPTION_MODES,
  type EncryptionMode,
  isEncryptionMode,
  SECRET_KEY_LENGTH,
} from '../crypto/modes.js';
import { PacketCipher } from '../crypto/PacketCipher.js';
import { VoiceError } from '../errors.js';
import type { JitterStats } from '../jitter/types.js';
import { createOpusCodec, OPUS_FRAME_SAMPLES, type OpusCodec, SILENCE_FRAME } from '../opus/opus.js';
import { ReceptionStats } from '../rtcp/ReceptionStats.js';
import { buildReceiverReport, isRtcp, MAX_REPORT_BLOCKS, parseRtcp, type ReportBlock, RtcpType } from '../rtcp/Rtcp.js';
import { buildRtpHeader } from '../rtp/RtpHeader.js';
import { buildIpDiscoveryRequest, parseIpDiscoveryResponse } from '../udp/ipDiscovery.js';
import {
  OpusBitrateController,
  type OpusBitrateControllerOptions,
  type OpusEncoderSettings,
} from './OpusBitrateController.js';
import { ReceiveSubscription, type SubscribeOptions, type SubscriptionTarget } from './ReceiveSubscription.js';

const FRAME_MS = 20;
/** Longest timer stall the playout clock catches up on; beyond it the missed ticks are skipped. */
const MAX_CATCH_UP_MS = 200;

export interface VoiceClientOptions {
  /** host:port as in VOICE_SERVER_UPDATE, or a full ws:// / wss:// URL. */
  endpoint: string;
  token: string;
  sessionId: string;
  userId: string;
  guildId: string;
  /** Voice gateway version (default 8). */
  version?: 4 | 8;
  /** Use wss:// when the endpoint has no scheme (default false: Discord's servers need true). */
  secure?: boolean;
  /** Extra TLS options for wss:// (e.g. a CA for a self-signed server). */
  tls?: { ca?: string | Buffer; rejectUnauthorized?: boolean };
  /** Mode preference, best first (default: AES-GCM, XChaCha20, then the XSalsa20 modes). */
  modes?: readonly EncryptionMode[];
  backend?: CryptoBackend;
  /** Give up connecting after this many ms (default 10000). */
  timeout?: number;
  /** How often to send RTCP receiver reports about the streams received, ms (default 5000; 0 turns them off). */
  rtcpInterval?: number;
  /**
   * Adapt the encoder used by `sendPcm` to the receiver reports that come back (default true). An object tunes the
   * controller; false leaves the encoder alone (`receiverReport` events are still emitted).
   */
  adaptBitrate?: boolean | OpusBitrateControllerOptions;
  /**
   * Ask a Concord server for one server-mixed stream (SSRC MIXER_SSRC) instead of one per speaker (an extra Identify
   * field other servers ignore). Default false.
   */
  mixed?: boolean;
}

/** A receiver's report about this client's stream, relayed by the server. */
export interface ReceivedReport {
  /** SSRC of the listener that reported, and its user once announced. */
  reporterSsrc: number;
  userId: string | null;
  block: ReportBlock;
}

/** Fields of server payloads this client reads (all unchecked until used). */
interface ServerData {
  heartbeat_interval?: unknown;
  ssrc?: unknown;
  ip?: unknown;
  port?: unknown;
  modes?: unknown;
  mode?: unknown;
  secret_key?: unknown;
  speaking?: unknown;
  user_id?: unknown;
  user_ids?: unknown;
  mixed?: unknown;
}

export interface ReceivedPacket {
  ssrc: number;
  /** Known once the server announced the SSRC (op 5 or op 11 follow-ups); null before. */
  userId: string | null;
  sequence: number;
  timestamp: number;
  opus: Buffer;
}

export interface VoiceClientEvents {
  ready: [info: { ssrc: number; mode: EncryptionMode }];
  packet: [packet: ReceivedPacket];
  speaking: [event: { userId: string; ssrc: number; speaking: number }];
  clientsConnect: [userIds: string[]];
  clientDisconnect: [userId: string];
  /** A listener's RTCP receiver report about our stream (loss, jitter). */
  receiverReport: [report: ReceivedReport];
  /** The encoder settings changed in answer to receiver reports. */
  encoderSettings: [settings: Readonly<OpusEncoderSettings>];
  /** The gateway connection dropped and was resumed (audio kept flowing over UDP meanwhile). */
  resumed: [];
  close: [code: number];
  error: [error: Error];
}

/** Receive contexts kept for SSRCs the server has not announced (op 5) yet. */
const MAX_UNANNOUNCED_RECEIVERS = 64;

/** A small voice client (for bots and tests): gateway, IP discovery, encryption, sending and receiving Opus. */
export class VoiceClient extends EventEmitter<VoiceClientEvents> {
  public ssrc = 0;
  public mode: EncryptionMode | null = null;
  /** Packets received but unusable (bad MAC, replay, garbage). */
  public dropped = 0;
  /**
   * Whether the server mixes for us: null until Ready, or when we did not ask (`mixed` option) or the server does not
   * say (not a Concord server); false when a Concord server refused (its mixing capacity is full): we then receive
   * each speaker's stream, as any Discord client.
   */
  public mixed: boolean | null = null;
  private ws: WebSocket | null = null;
  private udp: Socket | null = null;
  private cipher: PacketCipher | null = null;
  private key: Uint8Array | null = null;
  private readonly receivers = new Map<number, PacketCipher>();
  private readonly users = new Map<number, string>();
  private remote: { ip: string; port: number } | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private keepalive: NodeJS.Timeout | null = null;
  private seqAck = -1;
  private sequence = randomInt(0, 0x10000);
  private timestamp = randomInt(0, 0x100000000);
  private speaking = false;
  private url = '';
  private resuming = false;
  private resumeAttempts = 0;
  private leaving = false;
  private codec: OpusCodec | null = null;
  private readonly reception = new Map<number, ReceptionStats>();
  private readonly reports = new Map<number, { loss: number; at: number }>();
  private rtcpReceiver: PacketCipher | null = null;
  private rtcpTimer: NodeJS.Timeout | null = null;
  private readonly controller: OpusBitrateController | null;
  private readonly subscriptions = new Set<ReceiveSubscription>();
  private readonly rawSubscriptions = new Map<Readable, [SubscriptionTarget, () => void]>();
  private playoutTimer: NodeJS.Timeout | null = null;
  private nextTickMs = 0;
  /** Counts connection attempts: one superseded by `updateServer` must not tear down its successor when it fails. */
  private attempt = 0;
  private abortConnect: ((error: Error) => void) | null = null;

  private options: VoiceClientOptions;

  public constructor(options: VoiceClientOptions) {
    super();
    this.options = { ...options };
    const adapt = options.adaptBitrate ?? true;
    this.controller = adapt === false ? null : new OpusBitrateController(adapt === true ? {} : adapt);
  }

  /** The encoder settings `sendPcm` uses now (null when adaptation is off). */
  public get encoderSettings(): Readonly<OpusEncoderSettings> | null {
    return this.controller?.settings ?? null;
  }

  /** Reception statistics (RFC 3550) of every stream received, keyed by SSRC. */
  public receptionStats(): ReadonlyMap<number, ReceptionStats> {
    return this.reception;
  }

  /** Builds and sends one receiver report now (normally the timer does it every `rtcpInterval`). */
  public sendReceiverReport(): void {
    const cipher = this.cipher;
    if (!cipher || !this.udp || !this.remote || this.reception.size === 0) return;
    const blocks: ReportBlock[] = [];
    for (const stats of this.reception.values()) {
      if (blocks.length === MAX_REPORT_BLOCKS) break;
      blocks.push(stats.report());
    }
    this.udp.send(cipher.sealRtcp(buildReceiverReport(this.ssrc, blocks)), this.remote.port, this.remote.ip);
  }

  /** Connects and resolves once the session key arrived (audio can be sent from then on). */
  public connect(): Promise<void> {
    const o = this.options;
    const scheme = o.secure ? 'wss' : 'ws';
    const base = /^wss?:\/\//.test(o.endpoint) ? o.endpoint : `${scheme}://${o.endpoint}`;
    this.url = `${base.replace(/\/?(\?.*)?$/, '/')}?v=${o.version ?? 8}`;
    const attempt = ++this.attempt;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => fail(new VoiceError('VOICE_CONNECT_TIMEOUT', 'voice connection timed out')),
        o.timeout ?? 10_000,
      );
      const fail = (error: Error) => {
        clearTimeout(timer);
        if (attempt === this.attempt) this.destroy();
        if (this.abortConnect === fail) this.abortConnect = null;
        reject(error);
      };
      this.abortConnect = fail;
      this.openSocket(() => {
        clearTimeout(timer);
        if (this.abortConnect === fail) this.abortConnect = null;
        resolve();
      }, fail);
    });
  }

  /**
   * Opens the gateway WebSocket. After the session is up, a drop that allows it (4015, or a non-4xxx code other than
   * 1000/1001) is followed by Resume on a new socket, up to three times in a row; UDP and keys are kept meanwhile.
   */
  private openSocket(onReady: () => void, fail: (error: Error) => void): void {
    const ws = new WebSocket(this.url, this.options.tls ?? {});
    this.ws = ws;
    ws.on('error', () => {
      // A close event follows every error; it decides between resuming and failing.
    });
    ws.on('open', () => {
      if (!this.resuming) return;
      const o = this.options;
      this.sendWs(VoiceOpcode.Resume, {
        server_id: o.guildId,
        session_id: o.sessionId,
        token: o.token,
        seq_ack: this.seqAck,
      });
    });
    ws.on('close', (code) => {
      if (this.ws !== ws) return;
      if (this.heartbeat) clearInterval(this.heartbeat);
      this.heartbeat = null;
      const resumable = code === 4015 || (code < 4000 && code !== 1000 && code !== 1001);
      if (this.cipher && !this.leaving && resumable && this.resumeAttempts < 3) {
        this.resumeAttempts++;
        this.resuming = true;
        this.openSocket(() => {}, fail);
        return;
      }
      fail(new VoiceError('VOICE_CLOSED', `voice gateway closed with ${code}`));
      this.emit('close', code);
    });
    ws.on('message', (data) => {
      let payload: { op: number; d: ServerData | null; seq?: number };
      try {
        payload = JSON.parse(String(data));
      } catch {
        return;
      }
      if (typeof payload.seq === 'number') this.seqAck = payload.seq;
      if (payload.op === VoiceOpcode.Resumed) {
        this.resuming = false;
        this.resumeAttempts = 0;
        this.emit('resumed');
        return;
      }
      this.onPayload(payload.op, payload.d).then(
        (done) => {
          if (done) onReady();
        },
        (error: Error) => fail(error),
      );
    });
  }

  /** Sends one pre-encoded Opus frame (20 ms). */
  public sendOpus(frame: Uint8Array): void {
    const cipher = this.cipher;
    const udp = this.udp;
    const remote = this.remote;
    if (!cipher || !udp || !remote) throw new VoiceError('VOICE_NOT_READY', 'not connected');
    if (!this.speaking) this.setSpeaking(true);
    const header = buildRtpHeader({ sequence: this.sequence, timestamp: this.timestamp, ssrc: this.ssrc });
    this.sequence = (this.sequence + 1) & 0xffff;
    this.timestamp = (this.timestamp + OPUS_FRAME_SAMPLES) >>> 0;
    udp.send(cipher.seal(header, frame), remote.port, remote.ip);
  }

  /** Encodes and sends one 20 ms frame of 48 kHz stereo s16le PCM (3840 bytes). */
  public sendPcm(pcm: Buffer): void {
    if (!this.codec) {
      this.codec = createOpusCodec();
      if (this.controller) this.codec.configure(this.controller.settings);
    }
    this.sendOpus(this.codec.encode(pcm));
  }

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
    if (options === undefined) return this.subscribeRaw(target);
    const sub = new ReceiveSubscription(target, options);
    if (this.subscriptions.size === 0) this.on('packet', this.feedSubscriptions);
    this.subscriptions.add(sub);
    sub.stream.once('close', () => this.dropSubscription(sub));
    sub.stream.once('end', () => this.dropSubscription(sub));
    if (sub.clocked) this.startPlayout();
    return sub.stream;
  }

  /** Ends every subscription to this user or SSRC (the raw ones too). */
  public unsubscribe(target: SubscriptionTarget): void {
    for (const sub of [...this.subscriptions]) if (sub.target === target) this.dropSubscription(sub);
    for (const [t, end] of [...this.rawSubscriptions.values()]) if (t === target) end();
  }

  /** Jitter buffer statistics of the newest buffered subscription to this user or SSRC (null if there is none). */
  public receiveStats(target: SubscriptionTarget): JitterStats | null {
    let stats: JitterStats | null = null;
    for (const sub of this.subscriptions) if (sub.target === target && sub.clocked) stats = sub.stats();
    return stats;
  }

  private subscribeRaw(target: SubscriptionTarget): Readable {
    const stream = new Readable({ objectMode: true, read() {} });
    const matches = (p: { ssrc: number; userId: string | null }) =>
      typeof target === 'number' ? p.ssrc === target : p.userId === target;
    const onPacket = (p: ReceivedPacket) => {
      if (matches(p)) stream.push(p.opus);
    };
    const detach = () => {
      this.rawSubscriptions.delete(stream);
      this.off('packet', onPacket);
      this.off('clientDisconnect', end);
      this.off('close', onClose);
    };
    const end = (who?: string) => {
      if (who !== undefined && who !== target) return;
      detach();
      stream.push(null);
    };
    const onClose = () => end();
    this.rawSubscriptions.set(stream, [target, () => end()]);
    this.on('packet', onPacket);
    this.on('clientDisconnect', end);
    this.on('close', onClose);
    stream.once('close', detach);
    stream.once('end', detach);
    return stream;
  }

  private dropSubscription(sub: ReceiveSubscription): void {
    if (!this.subscriptions.delete(sub)) return;
    sub.end();
    if (this.subscriptions.size === 0) this.off('packet', this.feedSubscriptions);
    let clocked = false;
    for (const s of this.subscriptions) clocked ||= s.clocked;
    if (!clocked) this.stopPlayout();
  }

  // Subscriptions take their packets from the `packet` event, so whatever emits one (the socket, or a test) feeds them.
  private readonly feedSubscriptions = (packet: ReceivedPacket): void => {
    const now = performance.now();
    for (const sub of this.subscriptions) if (sub.matches(packet)) sub.push(packet, now);
  };

  private startPlayout(): void {
    if (this.playoutTimer) return;
    this.nextTickMs = performance.now() + FRAME_MS;
    // The pull waits for the check phase, after the poll phase has handed over the datagrams that arrived meanwhile:
    // after a stall, packets already in the socket buffer are pushed before their slots are judged.
    this.playoutTimer = setInterval(() => setImmediate(this.tick), FRAME_MS);
    // Receiving alone must not keep the process alive (the sockets decide that).
    this.playoutTimer.unref();
  }

  private stopPlayout(): void {
    if (this.playoutTimer) clearInterval(this.playoutTimer);
    this.playoutTimer = null;
  }

  /**
   * Pulls every buffered subscription once per 20 ms of real time. Timers fire late and drift, so the ticks are counted
   * against the clock (catching up after a stall), and a stall longer than MAX_CATCH_UP_MS is skipped rather than
   * replayed at once.
   */
  private readonly tick = (): void => {
    if (!this.playoutTimer) return;
    const now = performance.now();
    if (now - this.nextTickMs > MAX_CATCH_UP_MS) this.nextTickMs = now - MAX_CATCH_UP_MS;
    while (this.nextTickMs <= now) {
      const at = this.nextTickMs;
      this.nextTickMs += FRAME_MS;
      for (const sub of this.subscriptions) sub.pull(at);
    }
  };

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
    this.attempt++;
    // A connect still in progress (an earlier update) gives way to this one.
    this.abortConnect?.(new VoiceError('VOICE_SUPERSEDED', 'voice server changed while connecting'));
    const old = this.ws;
    // Ignore the old socket from now on: its close must not trigger Resume against the server we are leaving.
    this.ws = null;
    if (old) {
      old.removeAllListeners('message');
      if (old.readyState === WebSocket.OPEN) old.close(1000);
      else old.terminate();
    }
    this.stopTimers();
    try {
      this.udp?.close();
    } catch {
      // already closed
    }
    this.udp = null;
    this.cipher = this.rtcpReceiver = null;
    this.key = null;
    this.mode = null;
    this.remote = null;
    this.receivers.clear();
    this.users.clear();
    this.reception.clear();
    this.reports.clear();
    this.seqAck = -1;
    this.resuming = false;
    this.resumeAttempts = 0;
    this.speaking = false;
    this.leaving = false;
    if (update.endpoint === null) return;
    this.options = { ...this.options, endpoint: update.endpoint, token: update.token };
    await this.connect();
  }

  /** Leaves the call (close 1000: the server ends the session at once). */
  public disconnect(): void {
    this.leaving = true;
    this.ws?.close(1000);
    this.destroy();
  }

  private setSpeaking(on: boolean): void {
    this.speaking = on;
    this.sendWs(VoiceOpcode.Speaking, { speaking: on ? 1 : 0, delay: 0, ssrc: this.ssrc });
  }

  private destroy(): void {
    this.stopTimers();
    for (const sub of [...this.subscriptions]) this.dropSubscription(sub);
    this.stopPlayout();
    this.codec?.delete();
    this.codec = null;
    try {
      this.udp?.close();
    } catch {
      // already closed
    }
    this.udp = null;
    this.cipher = null;
  }

  private stopTimers(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.keepalive) clearInterval(this.keepalive);
    if (this.rtcpTimer) clearInterval(this.rtcpTimer);
    this.heartbeat = this.keepalive = this.rtcpTimer = null;
  }

  private sendWs(op: number, d: unknown): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ op, d }));
  }

  /** Returns true once the session description arrived. */
  private async onPayload(op: number, data: ServerData | null): Promise<boolean> {
    const o = this.options;
    const d: ServerData = data ?? {};
    switch (op) {
      case VoiceOpcode.Hello: {
        const interval = Number(d.heartbeat_interval) || 13_750;
        this.heartbeat = setInterval(() => {
          const t = Date.now();
          this.sendWs(VoiceOpcode.Heartbeat, (o.version ?? 8) >= 8 ? { t, seq_ack: this.seqAck } : t);
        }, interval);
        this.heartbeat.unref();
        if (this.resuming) return false;
        this.sendWs(VoiceOpcode.Identify, {
          server_id: o.guildId,
          user_id: o.userId,
          session_id: o.sessionId,
          token: o.token,
          ...(o.mixed ? { mixed: true } : {}),
        });
        return false;
      }
      case VoiceOpcode.Ready: {
        if (typeof d.ssrc !== 'number' || typeof d.ip !== 'string' || typeof d.port !== 'number') {
          throw new VoiceError('VOICE_BAD_READY', 'Ready without ssrc, ip and port');
        }
        this.ssrc = d.ssrc;
        this.remote = { ip: d.ip, port: d.port };
        this.mixed = o.mixed && typeof d.mixed === 'boolean' ? d.mixed : null;
        const offered = Array.isArray(d.modes) ? d.modes.filter((m): m is string => typeof m === 'string') : [];
        const mode = chooseEncryptionMode(offered, o.modes ?? ENCRYPTION_MODES);
        if (!mode) throw new VoiceError('VOICE_NO_MODE', `no common encryption mode in ${offered.join(', ')}`);
        const local = await this.discover();
        this.sendWs(VoiceOpcode.SelectProtocol, {
          protocol: 'udp',
          data: { address: local.address, port: local.port, mode },
        });
        return false;
      }
      case VoiceOpcode.SessionDescription: {
        const mode = d.mode;
        if (!isEncryptionMode(mode) || !Array.isArray(d.secret_key) || d.secret_key.length !== SECRET_KEY_LENGTH) {
          throw new VoiceError('VOICE_BAD_SESSION', 'Session Description without a known mode and a 32-byte key');
        }
        this.mode = mode;
        this.key = Uint8Array.from(d.secret_key);
        this.cipher = new PacketCipher(mode, this.key, this.cipherOptions());
        this.rtcpReceiver = new PacketCipher(mode, this.key, this.cipherOptions());
        this.receivers.clear();
        this.reception.clear();
        this.startRtcp();
        this.emit('ready', { ssrc: this.ssrc, mode });
        return true;
      }
      case VoiceOpcode.Speaking:
        if (typeof d.user_id === 'string' && typeof d.ssrc === 'number') {
          this.users.set(d.ssrc, d.user_id);
          this.emit('speaking', { userId: d.user_id, ssrc: d.ssrc, speaking: Number(d.speaking) || 0 });
        }
        return false;
      case VoiceOpcode.ClientsConnect:
        if (Array.isArray(d.user_ids))
          this.emit(
            'clientsConnect',
            d.user_ids.filter((u) => typeof u === 'string'),
          );
        return false;
      case VoiceOpcode.ClientDisconnect:
        if (typeof d.user_id === 'string') {
          for (const [ssrc, user] of this.users) {
            if (user === d.user_id) {
              this.users.delete(ssrc);
              this.receivers.delete(ssrc);
              this.reception.delete(ssrc);
              this.reports.delete(ssrc);
            }
          }
          for (const sub of [...this.subscriptions]) if (sub.target === d.user_id) this.dropSubscription(sub);
          this.emit('clientDisconnect', d.user_id);
        }
        return false;
      default:
        return false;
    }
  }

  private cipherOptions(): { backend?: CryptoBackend } {
    return this.options.backend ? { backend: this.options.backend } : {};
  }

  private discover(): Promise<{ address: string; port: number }> {
    const remote = this.remote!;
    const udp = createSocket('udp4');
    this.udp = udp;
    udp.on('error', (error) => this.emit('error', error));
    return new Promise((resolve, reject) => {
      let tries = 0;
      const request = buildIpDiscoveryRequest(this.ssrc);
      const retry = setInterval(() => {
        if (++tries > 10) {
          clearInterval(retry);
          reject(new VoiceError('VOICE_DISCOVERY_FAILED', 'no IP discovery answer'));
        } else udp.send(request, remote.port, remote.ip);
      }, 500);
      // Closed under us (disconnect, or updateServer moved to another node): sending again would throw.
      udp.once('close', () => {
        clearInterval(retry);
        reject(new VoiceError('VOICE_CLOSED', 'closed during IP discovery'));
      });
      udp.on('message', (msg) => {
        if (this.cipher) return this.onUdp(msg);
        const answer = parseIpDiscoveryResponse(msg);
        if (answer && answer.ssrc === this.ssrc) {
          clearInterval(retry);
          this.startKeepalive();
          resolve({ address: answer.address, port: answer.port });
        }
      });
      udp.send(request, remote.port, remote.ip);
    });
  }

  private startKeepalive(): void {
    let counter = 0;
    const buf = Buffer.alloc(8);
    this.keepalive = setInterval(() => {
      buf.writeUInt32LE(counter, 0);
      counter = (counter + 1) >>> 0;
      if (this.udp && this.remote) this.udp.send(buf, this.remote.port, this.remote.ip);
    }, 5_000);
    this.keepalive.unref();
  }

  private startRtcp(): void {
    const interval = this.options.rtcpInterval ?? 5_000;
    if (interval <= 0 || this.rtcpTimer) return;
    this.rtcpTimer = setInterval(() => this.sendReceiverReport(), interval);
    this.rtcpTimer.unref();
  }

  private onRtcp(msg: Buffer): void {
    const receiver = this.rtcpReceiver;
    if (!receiver) return;
    let packets: ReturnType<typeof parseRtcp>;
    try {
      packets = parseRtcp(receiver.openRtcp(msg));
    } catch {
      this.dropped++;
      return;
    }
    const now = performance.now();
    for (const packet of packets) {
      if (packet.type !== RtcpType.ReceiverReport || !('blocks' in packet)) continue;
      for (const block of packet.blocks) {
        if (block.ssrc !== this.ssrc) continue;
        this.reports.set(packet.ssrc, { loss: block.fractionLost / 256, at: now });
        this.emit('receiverReport', { reporterSsrc: packet.ssrc, userId: this.users.get(packet.ssrc) ?? null, block });
        this.adapt(now);
      }
    }
  }

  /** Feeds the worst loss among the listeners' recent reports to the controller and applies what changed. */
  private adapt(now: number): void {
    const controller = this.controller;
    if (!controller) return;
    // A listener that stopped reporting (left, deafened) must not pin the bitrate down: three intervals and it is out.
    const horizon = 3 * (this.options.rtcpInterval || 5_000);
    let worst = 0;
    for (const [ssrc, r] of this.reports) {
      if (now - r.at > horizon) this.reports.delete(ssrc);
      else worst = Math.max(worst, r.loss);
    }
    const before = controller.settings;
    const after = controller.update(worst);
    if (
      after.bitrate === before.bitrate &&
      after.fec === before.fec &&
      after.packetLossPercent === before.packetLossPercent
    ) {
      return;
    }
    this.codec?.configure(after);
    this.emit('encoderSettings', after);
  }

  private onUdp(msg: Buffer): void {
    if (msg.length <= 8 || !this.key || !this.mode) return;
    if (isRtcp(msg)) {
      this.onRtcp(msg);
      return;
    }
    const ssrc = msg.readUInt32BE(8);
    // One receive context per speaker: sequence-keyed replay windows are per stream.
    let receiver = this.receivers.get(ssrc);
    const fresh = receiver === undefined;
    if (!receiver) {
      // Anyone can send datagrams here: an SSRC the server did not announce gets a context only within a bound...
      if (!this.users.has(ssrc) && this.receivers.size >= MAX_UNANNOUNCED_RECEIVERS) {
        this.dropped++;
        return;
      }
      receiver = new PacketCipher(this.mode, this.key, this.cipherOptions());
    }
    try {
      const opened = receiver.open(msg);
      // ...and only once a packet for it authenticated, so garbage cannot use up the bound.
      if (fresh) this.receivers.set(ssrc, receiver);
      let stats = this.reception.get(opened.ssrc);
      if (!stats) {
        stats = new ReceptionStats(opened.ssrc);
        this.reception.set(opened.ssrc, stats);
      }
      stats.update(opened.sequence, opened.timestamp, performance.now());
      this.emit('packet', {
        ssrc: opened.ssrc,
        userId: this.users.get(opened.ssrc) ?? null,
        sequence: opened.sequence,
        timestamp: opened.timestamp,
        opus: opened.payload,
      });
    } catch {
      this.dropped++;
    }
  }
}
