import type { PeerConnection, Track } from 'node-datachannel';
import type { OpenedRtp } from '../crypto/PacketCipher.js';
import { isRtcp } from '../rtcp/Rtcp.js';
import { OPUS_PAYLOAD_TYPE, readRtpFixedHeader } from '../rtp/RtpHeader.js';
import type { MediaLeg } from '../server/MediaLeg.js';
import type { SfuMember } from '../server/Sfu.js';
import { DEFAULT_PAYLOAD_TYPES } from '../video/codecs.js';
import { buildPli, parseFeedback } from '../video/rtcpFeedback.js';
import { keyframeTargets, toRoomRtp } from './browserRtp.js';
import { buildSanitizedOffer, type OfferPlan } from './OfferPlan.js';
import { type AnswerSlot, addSlotsToAnswer } from './SdpAnswer.js';
import { SlotMap } from './SlotMap.js';

/** The room's payload types a leg maps from and to (Discord's defaults; the Sfu delivers to a leg under these). */
const ROOM_OPUS = OPUS_PAYLOAD_TYPE;
const ROOM_VP8 = DEFAULT_PAYLOAD_TYPES.VP8.pt;

/** What a leg needs of the server around it. */
export interface WebRtcLegHost {
  /** The forwarding plane's entries (`Sfu.receive`, `Sfu.receiveRtcp`). */
  receive(sender: SfuMember, opened: OpenedRtp): void;
  receiveRtcp(sender: SfuMember, packet: Buffer): void;
  /** The user whose room stream has this SSRC (audio, or a video layer), or null. */
  userOfSsrc(ssrc: number): string | null;
  /** Whether a user is still in the member's room (slots of users who left are freed when slots run out). */
  inRoom(userId: string): boolean;
  /** Tells the page which user a slot now carries (op 12 with the slot's SSRCs, docs/protocol.md). */
  bound(userId: string, audioSsrc: number, videoSsrc: number): void;
}

export interface WebRtcLegOptions {
  /** Address the ICE agent binds and advertises (loopback in tests; the node's public address in production). */
  bindAddress: string;
  /** Give up negotiating after this long (ms). */
  timeout?: number;
}

export interface WebRtcLegStats {
  sent: number;
  received: number;
  dropped: { notOpen: number; codec: number; noSlot: number; malformed: number; rtcp: number };
}

interface SlotTracks {
  audio: Track | null;
  video: Track | null;
  audioSsrc: number;
  videoSsrc: number;
}

function randomSsrc(taken: Set<number>): number {
  for (;;) {
    const ssrc = (Math.random() * 0xfffffffe + 1) >>> 0;
    if (!taken.has(ssrc)) {
      taken.add(ssrc);
      return ssrc;
    }
  }
}

/**
 * A browser member's media transport: one DTLS-SRTP peer connection (libdatachannel through node-datachannel). It
 * hands the browser's RTP to the Sfu as the member's own streams (member SSRCs, the room's payload types) and sends
 * the room's streams to the browser through its receive slots (slot SSRCs, the browser's payload types).
 */
export class WebRtcLeg implements MediaLeg {
  public readonly kind = 'webrtc';
  public readonly stats: WebRtcLegStats = {
    sent: 0,
    received: 0,
    dropped: { notOpen: 0, codec: 0, noSlot: 0, malformed: 0, rtcp: 0 },
  };
  readonly #pc: PeerConnection;
  readonly #member: SfuMember;
  readonly #host: WebRtcLegHost;
  readonly #plan: OfferPlan;
  readonly #slots: SlotMap;
  readonly #slotTracks: SlotTracks[] = [];
  readonly #userBySsrc = new Map<number, string>();
  #ownAudio: Track | null = null;
  #ownVideo: Track | null = null;
  /** The browser's own video SSRC (its camera), learned from its packets: keyframe requests go to it. */
  #browserVideoSsrc: number | null = null;
  #closed = false;

  private constructor(member: SfuMember, host: WebRtcLegHost, plan: OfferPlan, pc: PeerConnection) {
    this.#member = member;
    this.#host = host;
    this.#plan = plan;
    this.#pc = pc;
    this.#slots = new SlotMap(Math.max(plan.audioSlots.length, plan.videoSlots.length));
    this.#browserVideoSsrc = plan.ownVideo?.ssrcs[0] ?? null;
  }

  /**
   * Negotiates with a browser's offer: resolves with the leg and the answer SDP once the ICE candidates (loopback or
   * the bind address only) are gathered. Rejects when the native stack refuses the offer or does not answer in time.
   */
  public static async open(
    member: SfuMember,
    host: WebRtcLegHost,
    plan: OfferPlan,
    options: WebRtcLegOptions,
  ): Promise<{ leg: WebRtcLeg; answer: string }> {
    // Loaded on first use: the native module is only needed once a browser connects.
    const { PeerConnection } = await import('node-datachannel');
    const pc = new PeerConnection(`concord-${member.ssrc}`, {
      iceServers: [],
      bindAddress: options.bindAddress,
      // One UDP port per peer; no TCP candidates and no STUN/TURN servers: host candidates on the bind address only.
      enableIceTcp: false,
    });
    const leg = new WebRtcLeg(member, host, plan, pc);
    try {
      const answer = await leg.#negotiate(options.timeout ?? 5_000);
      return { leg, answer };
    } catch (error) {
      leg.close();
      throw error;
    }
  }

  async #negotiate(timeout: number): Promise<string> {
    const plan = this.#plan;
    // The m-lines with a role (answered `inactive` ones need no track).
    const roles = [plan.ownAudio, plan.ownVideo, ...plan.audioSlots, ...plan.videoSlots];
    const wanted = roles.flatMap((media) => (media ? [media.mid] : []));
    const tracks = new Map<string, Track>();
    let gathered = false;
    let settle: (() => void) | null = null;
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('WebRTC negotiation timed out')), timeout);
      timer.unref();
      settle = () => {
        if (gathered && wanted.every((mid) => tracks.has(mid))) {
          clearTimeout(timer);
          resolve();
        }
      };
    });
    this.#pc.onTrack((track) => {
      tracks.set(track.mid(), track);
      settle?.();
    });
    this.#pc.onGatheringStateChange((state) => {
      if (state === 'complete') gathered = true;
      settle?.();
    });
    this.#pc.setRemoteDescription(buildSanitizedOffer(plan), 'offer');
    await done;
    this.#ownAudio = plan.ownAudio ? (tracks.get(plan.ownAudio.mid) ?? null) : null;
    this.#ownVideo = plan.ownVideo ? (tracks.get(plan.ownVideo.mid) ?? null) : null;
    this.#ownAudio?.onMessage((msg) => this.#fromBrowser(msg, 'audio'));
    this.#ownVideo?.onMessage((msg) => this.#fromBrowser(msg, 'video'));
    const taken = new Set<number>();
    const answerSlots: AnswerSlot[] = [];
    for (let i = 0; i < this.#slots.size; i++) {
      const audio = plan.audioSlots[i];
      const video = plan.videoSlots[i];
      const slot: SlotTracks = {
        audio: audio ? (tracks.get(audio.mid) ?? null) : null,
        video: video ? (tracks.get(video.mid) ?? null) : null,
        audioSsrc: randomSsrc(taken),
        videoSsrc: randomSsrc(taken),
      };
      // Feedback from the browser about a slot (PLI when it cannot decode) arrives on the slot's track.
      slot.video?.onMessage((msg) => this.#fromBrowser(msg, 'video'));
      this.#slotTracks.push(slot);
      if (audio) answerSlots.push({ mid: audio.mid, kind: 'audio', index: i, ssrc: slot.audioSsrc });
      if (video) answerSlots.push({ mid: video.mid, kind: 'video', index: i, ssrc: slot.videoSsrc });
    }
    const local = this.#pc.localDescription();
    if (!local) throw new Error('no local description');
    return addSlotsToAnswer(local.sdp, answerSlots);
  }

  /** Closed: by `close`, i.e. its member ended or replaced it. */
  public get closed(): boolean {
    return this.#closed;
  }

  /** DTLS is up and media can flow. */
  public get connected(): boolean {
    return !this.#closed && this.#pc.state() === 'connected';
  }

  /** The SSRCs of receive slot `index` as the browser sees them (tests map slots to users with these). */
  public slotSsrcs(index: number): { audio: number; video: number } | null {
    const slot = this.#slotTracks[index];
    return slot ? { audio: slot.audioSsrc, video: slot.videoSsrc } : null;
  }

  /** One packet from the browser: its own audio or camera (RTP), or RTCP about anything. */
  #fromBrowser(msg: Buffer, kind: 'audio' | 'video'): void {
    if (this.#closed || !Buffer.isBuffer(msg)) return;
    try {
      if (isRtcp(msg)) this.#rtcpFromBrowser(msg);
      else this.#rtpFromBrowser(msg, kind);
    } catch {
      // parseRtpPacket / parseFeedback throw PacketErrors for lying lengths; a bad packet is dropped, never fatal.
      this.stats.dropped.malformed++;
    }
  }

  #rtpFromBrowser(msg: Buffer, kind: 'audio' | 'video'): void {
    const member = this.#member;
    const plan = this.#plan;
    const videoSsrc = member.video?.videoSsrc ?? 0;
    // Peek at the payload type before building anything: only Opus on the audio m-line, VP8 on the camera's.
    const pt = msg.length >= 12 ? msg[1]! & 0x7f : -1;
    const expected = kind === 'audio' ? plan.opusPayloadType : plan.vp8PayloadType;
    if (pt !== expected || (kind === 'video' && videoSsrc === 0)) return void this.stats.dropped.codec++;
    const { opened, sourceSsrc } =
      kind === 'audio' ? toRoomRtp(msg, member.ssrc, ROOM_OPUS) : toRoomRtp(msg, videoSsrc, ROOM_VP8);
    if (kind === 'video') this.#browserVideoSsrc = sourceSsrc;
    this.stats.received++;
    this.#host.receive(member, opened);
  }

  /** Keyframe requests about a slot's video go to the user the slot carries; other RTCP is not used yet. */
  #rtcpFromBrowser(msg: Buffer): void {
    for (const target of keyframeTargets(msg)) {
      const index = this.#slotTracks.findIndex((s) => s.videoSsrc === target);
      const source = index < 0 ? null : this.#slots.sourceOf(index, 'video');
      if (source === null) {
        this.stats.dropped.rtcp++;
        continue;
      }
      this.#host.receiveRtcp(this.#member, buildPli(this.#member.ssrc, source));
    }
  }

  /** One room packet for the browser: through the slot of its user, with the slot's SSRC and the browser's PT. */
  public sendRtp(header: Buffer, payload: Buffer): void {
    if (this.#closed) return;
    let fixed: ReturnType<typeof readRtpFixedHeader>;
    try {
      fixed = readRtpFixedHeader(header);
    } catch {
      this.stats.dropped.malformed++;
      return;
    }
    let kind: 'audio' | 'video';
    let payloadType: number;
    if (fixed.payloadType === ROOM_OPUS) {
      kind = 'audio';
      payloadType = this.#plan.opusPayloadType;
    } else if (fixed.payloadType === ROOM_VP8 && this.#plan.vp8PayloadType !== null) {
      kind = 'video';
      payloadType = this.#plan.vp8PayloadType;
    } else {
      this.stats.dropped.codec++;
      return;
    }
    let userId = this.#userBySsrc.get(fixed.ssrc);
    if (userId === undefined) {
      const found = this.#host.userOfSsrc(fixed.ssrc);
      if (found === null) return void this.stats.dropped.noSlot++;
      userId = found;
      this.#userBySsrc.set(fixed.ssrc, userId);
    }
    const now = performance.now();
    let slot = this.#slots.slotFor(userId, now);
    if (!slot) {
      for (let i = 0; i < this.#slots.size; i++) {
        const holder = this.#slots.userOf(i);
        if (holder !== null && !this.#host.inRoom(holder)) this.release(holder);
      }
      slot = this.#slots.slotFor(userId, now);
      if (!slot) return void this.stats.dropped.noSlot++;
    }
    const tracks = this.#slotTracks[slot.index]!;
    if (slot.bound) this.#host.bound(userId, tracks.audioSsrc, tracks.videoSsrc);
    const track = kind === 'audio' ? tracks.audio : tracks.video;
    if (!track) return void this.stats.dropped.noSlot++;
    const [sequence, timestamp] = this.#slots.rewrite(slot.index, kind, fixed.ssrc, fixed.sequence, fixed.timestamp);
    const packet = Buffer.allocUnsafe(12 + payload.length);
    packet[0] = 0x80;
    packet[1] = (fixed.marker ? 0x80 : 0) | payloadType;
    packet.writeUInt16BE(sequence, 2);
    packet.writeUInt32BE(timestamp, 4);
    packet.writeUInt32BE(kind === 'audio' ? tracks.audioSsrc : tracks.videoSsrc, 8);
    payload.copy(packet, 12);
    this.#send(track, packet);
  }

  /** RTCP from the room: keyframe requests about this member's camera become a PLI to the browser. */
  public sendRtcp(packet: Buffer): void {
    if (this.#closed || !this.#ownVideo || this.#browserVideoSsrc === null) return;
    let wantsKeyframe = false;
    try {
      wantsKeyframe = parseFeedback(packet).some((f) => f.kind === 'pli' || f.kind === 'fir');
    } catch {
      this.stats.dropped.rtcp++;
      return;
    }
    if (wantsKeyframe) this.#send(this.#ownVideo, buildPli(this.#member.ssrc, this.#browserVideoSsrc));
  }

  /** A user left the room: its slot may go to someone else at once. */
  public release(userId: string): void {
    this.#slots.release(userId);
    for (const [ssrc, user] of this.#userBySsrc) if (user === userId) this.#userBySsrc.delete(ssrc);
  }

  #send(track: Track, packet: Buffer): void {
    try {
      if (!track.isOpen() || !track.sendMessageBinary(packet)) {
        this.stats.dropped.notOpen++;
        return;
      }
      this.stats.sent++;
    } catch {
      this.stats.dropped.notOpen++;
    }
  }

  /** Ends the peer connection (idempotent). The member's `leg` is cleared by whoever owns it. */
  public close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#pc.close();
    } catch {
      // Already closed by the native side.
    }
  }
}
