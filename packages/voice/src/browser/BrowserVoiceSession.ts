// One voice connection of a browser, without any page around it: the voice gateway the main gateway's
// VOICE_SERVER_UPDATE named, one RTCPeerConnection whose offer goes in Select Protocol (`protocol: 'webrtc'`) and whose
// answer comes back in Session Description (docs/protocol.md, "Browsers (WebRTC)"), the others' audio per user (voice
// op 12 binds a receive slot to a user), who speaks (op 5, and the microphone's level for oneself), and, in a channel
// whose positions come from its clients, where this client is (op 1001). Op 4 (joining, leaving, the voice state the
// others see) stays with the main gateway's owner: @concord/games/client's GameClient, or a page of one's own.
import { VoiceOpcode } from '@concord/protocol';
import EventEmitter from 'eventemitter3';
import { CLIENT_POSITION_OP } from '../spatial/clientPositionOp.js';
import { codecsOf } from './codecsOf.js';
import type { VoiceGatewayClosedError } from './VoiceGatewayClosedError.js';
import { VoiceGatewaySocket } from './VoiceGatewaySocket.js';
import { SLOTS, VoicePeer } from './VoicePeer.js';
import type { VoiceReady } from './VoiceReady.js';
import { videoPayload } from './videoPayload.js';
import { type LevelMeter, watchLevel } from './watchLevel.js';

/** Where this client is, for op 1001: `x`, `y` required; `z` and `yaw` (radians, 0 faces +y) optional. */
export interface ClientPosition {
  x: number;
  y: number;
  z?: number;
  yaw?: number;
}

export interface BrowserVoiceSessionOptions {
  /** VOICE_SERVER_UPDATE's `endpoint` (host:port or a ws(s):// URL) and `token`. */
  endpoint: string;
  token: string;
  guildId: string;
  userId: string;
  /** The main gateway session's id (VOICE_STATE_UPDATE's `session_id`). */
  sessionId: string;
  /** What this client sends (its first audio track); null: listen only. The session never stops its tracks. */
  microphone: MediaStream | null;
  /** Receive slots: how many others this client can hear at once (default {@link SLOTS}). */
  slots?: number;
  /** The context the speaking meter runs in (default: one of its own, closed with the session). */
  audioContext?: AudioContext;
}

/** Defaults of {@link BrowserVoiceSessionOptions}. */
export const defaultBrowserVoiceSessionOptions = {
  slots: SLOTS,
} as const satisfies Partial<BrowserVoiceSessionOptions>;

/** `connecting` until the answer is applied; `closed` after {@link BrowserVoiceSession.close} or a drop. */
export type BrowserVoiceStatus = 'connecting' | 'connected' | 'closed';

/** What a remote user's receive slot counted so far (its `inbound-rtp` statistics). */
export interface InboundAudio {
  bytesReceived: number;
  packetsReceived: number;
  /** 0..1, as the browser measures it; null where it does not. */
  audioLevel: number | null;
}

export interface BrowserVoiceSessionEvents {
  status: [status: BrowserVoiceStatus];
  /** A remote user's audio: play it (an `<audio>` with `new MediaStream([track])`). Again when their slot changes. */
  track: [userId: string, track: MediaStreamTrack];
  /** Someone (this client included) started or stopped speaking. */
  speaking: [userId: string, speaking: boolean];
  /** A remote user left the voice connection. */
  userLeft: [userId: string];
  /** The connection ended: null when {@link BrowserVoiceSession.close} ended it. */
  closed: [error: VoiceGatewayClosedError | null];
  /** A message that could not be handled (a refused answer): the connection goes on. */
  error: [error: Error];
}

interface Slot {
  track: MediaStreamTrack;
  receiver: RTCRtpReceiver;
}

/** A browser's voice connection to a Concord voice server (WebRTC): audio in and out, speaking, positions. */
export class BrowserVoiceSession extends EventEmitter<BrowserVoiceSessionEvents> {
  readonly guildId: string;
  readonly userId: string;
  readonly #microphone: MediaStream | null;
  readonly #slotCount: number;
  readonly #socket: VoiceGatewaySocket;
  readonly #audio: AudioContext | null;
  readonly #ownsAudio: boolean;
  #status: BrowserVoiceStatus = 'connecting';
  #peer: VoicePeer | null = null;
  #ready: VoiceReady | null = null;
  #meter: LevelMeter | null = null;
  #muted = false;
  readonly #slots = new Map<number, Slot>();
  readonly #userOfSlot = new Map<number, string>();
  readonly #slotOfUser = new Map<string, number>();
  /** Slot bindings (op 12) that came before the answer said which SSRC is which slot. */
  readonly #early = new Map<number, string>();
  readonly #speaking = new Set<string>();

  /** Opens the connection; {@link connected} (or {@link BrowserVoiceSession.connect}) waits for it. */
  constructor(options: BrowserVoiceSessionOptions) {
    super();
    this.guildId = options.guildId;
    this.userId = options.userId;
    this.#microphone = options.microphone;
    this.#slotCount = options.slots ?? defaultBrowserVoiceSessionOptions.slots;
    this.#ownsAudio = options.audioContext === undefined && options.microphone !== null;
    this.#audio = options.audioContext ?? (options.microphone ? new AudioContext() : null);
    if (this.#ownsAudio) void this.#audio?.resume();
    const identity = {
      endpoint: options.endpoint,
      token: options.token,
      serverId: options.guildId,
      userId: options.userId,
      sessionId: options.sessionId,
    };
    const video = { video: true, streams: [{ type: 'video', rid: '100', quality: 100 }] };
    this.#socket = new VoiceGatewaySocket(
      identity,
      video,
      (op, d) => {
        this.#onMessage(op, d).catch((error: unknown) =>
          this.emit('error', error instanceof Error ? error : new Error(String(error))),
        );
      },
      (error) => this.#end(error),
    );
  }

  /** Connects and resolves once audio flows both ways (rejects if the connection closes first). */
  static async connect(options: BrowserVoiceSessionOptions): Promise<BrowserVoiceSession> {
    const session = new BrowserVoiceSession(options);
    await session.connected();
    return session;
  }

  get status(): BrowserVoiceStatus {
    return this.#status;
  }

  get muted(): boolean {
    return this.#muted;
  }

  /** Resolves once connected; rejects with the close error if the connection ends first. */
  connected(): Promise<void> {
    if (this.#status === 'connected') return Promise.resolve();
    if (this.#status === 'closed') return Promise.reject(new Error('the voice session is closed'));
    return new Promise((resolve, reject) => {
      const onStatus = (status: BrowserVoiceStatus) => {
        if (status === 'connecting') return;
        this.off('status', onStatus);
        this.off('closed', onClosed);
        resolve();
      };
      const onClosed = (error: Error | null) => {
        this.off('status', onStatus);
        this.off('closed', onClosed);
        reject(error ?? new Error('the voice session was closed'));
      };
      this.on('status', onStatus);
      this.on('closed', onClosed);
    });
  }

  /** Whether `userId` (this client's own id included) is speaking now. */
  isSpeaking(userId: string): boolean {
    return this.#speaking.has(userId);
  }

  /** The users whose audio this client receives now, each with their track. */
  tracks(): Map<string, MediaStreamTrack> {
    const out = new Map<string, MediaStreamTrack>();
    for (const [userId, slot] of this.#slotOfUser) {
      const track = this.#slots.get(slot)?.track;
      if (track) out.set(userId, track);
    }
    return out;
  }

  /** What `userId`'s slot has received so far; null while no slot plays them. */
  async inboundAudio(userId: string): Promise<InboundAudio | null> {
    const slot = this.#slotOfUser.get(userId);
    const receiver = slot === undefined ? undefined : this.#slots.get(slot)?.receiver;
    if (!receiver) return null;
    const found: InboundAudio = { bytesReceived: 0, packetsReceived: 0, audioLevel: null };
    // forEach: the TypeScript DOM library this builds with has no iterable RTCStatsReport.
    (await receiver.getStats()).forEach((report) => {
      if (report.type !== 'inbound-rtp') return;
      found.bytesReceived = Number(report.bytesReceived ?? 0);
      found.packetsReceived = Number(report.packetsReceived ?? 0);
      found.audioLevel = typeof report.audioLevel === 'number' ? report.audioLevel : null;
    });
    return found;
  }

  /**
   * Mutes or unmutes the microphone here (its track disabled: silence goes out) and says so in op 5. The voice state
   * the others see (`self_mute`) is op 4 on the main gateway, the owner's part.
   */
  setMuted(muted: boolean): void {
    this.#muted = muted;
    for (const track of this.#microphone?.getAudioTracks() ?? []) track.enabled = !muted;
    // The level meter only reports changes: unmuting while talking must light the indicator at once.
    this.#speak(!muted && (this.#meter?.speaking ?? false));
  }

  /**
   * Where this client is now (op 1001), in a channel the game made positional with `positionSource: 'client'`; the
   * server ignores it elsewhere. Send at the game's tick rate, at most the channel's rate (default 60 per second).
   * A position the server would refuse (a non-finite number) throws here instead of closing the connection.
   */
  sendPosition(position: ClientPosition): void {
    for (const value of [position.x, position.y, position.z ?? 0, position.yaw ?? 0])
      if (!Number.isFinite(value)) throw new RangeError('a position is finite numbers');
    const d: ClientPosition = { x: position.x, y: position.y };
    if (position.z !== undefined) d.z = position.z;
    if (position.yaw !== undefined) d.yaw = position.yaw;
    this.#socket.send(CLIENT_POSITION_OP, d);
  }

  /** Leaves the voice connection (1000: the server ends the session at once). The microphone's tracks stay. */
  close(): void {
    if (this.#status === 'closed') return;
    this.#socket.close();
    this.#end(null);
  }

  #end(error: VoiceGatewayClosedError | null): void {
    if (this.#status === 'closed') return;
    this.#meter?.stop();
    this.#meter = null;
    this.#peer?.close();
    if (this.#ownsAudio) void this.#audio?.close();
    this.#setStatus('closed');
    this.emit('closed', error);
  }

  #setStatus(status: BrowserVoiceStatus): void {
    if (this.#status === status) return;
    this.#status = status;
    this.emit('status', status);
  }

  // biome-ignore lint/suspicious/noExplicitAny: voice payloads are read field by field, as the server sends them.
  async #onMessage(op: number, d: any): Promise<void> {
    if (this.#status === 'closed') return;
    switch (op) {
      case VoiceOpcode.Ready: {
        this.#ready = d as VoiceReady;
        const peer = new VoicePeer({
          audio: this.#microphone?.getAudioTracks()[0] ?? null,
          slots: this.#slotCount,
          onTrack: ({ slot, track, receiver }) => this.#onTrack(slot, track, receiver),
        });
        this.#peer = peer;
        const sdp = await peer.offer();
        this.#socket.send(VoiceOpcode.SelectProtocol, {
          // `sdp` alone (the server takes either `sdp` or `data`): the offer twice would double a ~14 KB frame.
          protocol: 'webrtc',
          sdp,
          codecs: codecsOf(sdp),
          rtc_connection_id: crypto.randomUUID(),
        });
        break;
      }
      case VoiceOpcode.SessionDescription:
        if (!this.#peer || typeof d.sdp !== 'string') break;
        await this.#peer.accept(d.sdp);
        for (const [ssrc, userId] of this.#early) this.#bind(ssrc, userId);
        this.#early.clear();
        if (this.#microphone && this.#audio)
          this.#meter = watchLevel(this.#audio, this.#microphone, (on) => this.#speak(on));
        // Op 12 with video off: the others learn which audio SSRC is this client's.
        this.#socket.send(VoiceOpcode.Video, videoPayload(this.#ready, 'off', undefined));
        this.#setStatus('connected');
        break;
      case VoiceOpcode.Speaking:
        if (typeof d.user_id === 'string') this.#setSpeaking(d.user_id, (Number(d.speaking) & 1) !== 0);
        break;
      case VoiceOpcode.Video:
        if (typeof d.user_id === 'string' && typeof d.audio_ssrc === 'number') {
          if (this.#peer?.slotByAudioSsrc.size) this.#bind(d.audio_ssrc, d.user_id);
          else this.#early.set(d.audio_ssrc, d.user_id);
        }
        break;
      case VoiceOpcode.ClientDisconnect:
        if (typeof d.user_id === 'string') {
          this.#unbind(d.user_id);
          this.#setSpeaking(d.user_id, false);
          this.emit('userLeft', d.user_id);
        }
        break;
    }
  }

  #onTrack(slot: number, track: MediaStreamTrack, receiver: RTCRtpReceiver): void {
    if (track.kind !== 'audio') return;
    this.#slots.set(slot, { track, receiver });
    const userId = this.#userOfSlot.get(slot);
    if (userId !== undefined) this.emit('track', userId, track);
  }

  /** An op 12 naming one of this client's receive slots' audio SSRC binds that slot to its user. */
  #bind(audioSsrc: number, userId: string): void {
    const slot = this.#peer?.slotByAudioSsrc.get(audioSsrc);
    if (slot === undefined) return;
    if (this.#userOfSlot.get(slot) === userId) return;
    const before = this.#userOfSlot.get(slot);
    if (before !== undefined) this.#slotOfUser.delete(before);
    this.#unbind(userId);
    this.#userOfSlot.set(slot, userId);
    this.#slotOfUser.set(userId, slot);
    const track = this.#slots.get(slot)?.track;
    if (track) this.emit('track', userId, track);
  }

  #unbind(userId: string): void {
    const slot = this.#slotOfUser.get(userId);
    if (slot === undefined) return;
    this.#slotOfUser.delete(userId);
    this.#userOfSlot.delete(slot);
  }

  /** Op 5 for this client, from the microphone's level (never while muted). */
  #speak(on: boolean): void {
    const speaking = on && !this.#muted;
    this.#setSpeaking(this.userId, speaking);
    this.#socket.send(VoiceOpcode.Speaking, { speaking: speaking ? 1 : 0, delay: 0, ssrc: this.#ready?.ssrc ?? 0 });
  }

  #setSpeaking(userId: string, speaking: boolean): void {
    if (this.#speaking.has(userId) === speaking) return;
    if (speaking) this.#speaking.add(userId);
    else this.#speaking.delete(userId);
    this.emit('speaking', userId, speaking);
  }
}
