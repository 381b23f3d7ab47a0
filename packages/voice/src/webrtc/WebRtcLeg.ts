import type { PeerConnection, Track } from 'node-datachannel';
import type { OpenedRtp } from '../crypto/PacketCipher.js';
import { isRtcp } from '../rtcp/Rtcp.js';
import { OPUS_PAYLOAD_TYPE, readRtpFixedHeader } from '../rtp/RtpHeader.js';
import type { MediaLeg } from '../server/MediaLeg.js';
import type { SfuMember } from '../server/Sfu.js';
import { DEFAULT_PAYLOAD_TYPES } from '../video/codecs.js';
import { buildNack, buildPli, buildRemb, parseFeedback } from '../video/rtcpFeedback.js';
import { BrowserLayers } from './BrowserLayers.js';
import { toRoomRtp } from './browserRtp.js';
import { buildSanitizedOffer, type OfferPlan } from './OfferPlan.js';
import { type AnswerSlot, addSimulcastToAnswer, addSlotsToAnswer } from './SdpAnswer.js';
import { SlotMap } from './SlotMap.js';

/** The room's payload types a leg maps from and to (Discord's defaults; the Sfu delivers to a leg under these). */
const ROOM_OPUS = OPUS_PAYLOAD_TYPE;
const ROOM_VP8 = DEFAULT_PAYLOAD_TYPES.VP8.pt;
/** RTX of VP8 as the Sfu answers a leg's NACKs (RFC 4588: OSN ‖ payload); the leg unwraps it, see `#retransmit`. */
const ROOM_VP8_RTX = DEFAULT_PAYLOAD_TYPES.VP8.rtx;

/**
 * What the server tells a sending browser it may send (REMB, bits/s), once a second while its camera sends. The server
 * does not estimate the browser's uplink: without any REMB (and no transport-wide feedback answered) a browser stays at
 * its start bitrate (about 300 kbit/s), too little for more than one simulcast layer. Its own loss-based control
 * still applies under this cap.
 */
export const BROWSER_SEND_ESTIMATE = 3_000_000;
const SEND_ESTIMATE_INTERVAL_MS = 1_000;

/** The same RTCP compound again within this long is the native stack's copy for another track, not a new one. */
const RTCP_DUPLICATE_MS = 20;

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
  /** Packets sent again on a slot because the browser NACKed them. */
  retransmitted: number;
  /** Feedback from the browser handed to the room: NACKs, REMB estimates, keyframe requests. */
  feedback: { nack: number; remb: number; keyframe: number };
  /** The browser's last REMB estimate (bits/s), null before the first. */
  estimate: number | null;
  /** `unbound`: camera packets of a simulcast SSRC not bound to a Ready stream (yet). */
  dropped: { notOpen: number; codec: number; noSlot: number; malformed: number; rtcp: number; unbound: number };
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
    retransmitted: 0,
    feedback: { nack: 0, remb: 0, keyframe: 0 },
    estimate: null,
    dropped: { notOpen: 0, codec: 0, noSlot: 0, malformed: 0, rtcp: 0, unbound: 0 },
  };
  readonly #pc: PeerConnection;
  readonly #member: SfuMember;
  readonly #host: WebRtcLegHost;
  readonly #plan: OfferPlan;
  readonly #slots: SlotMap;
  readonly #slotTracks: SlotTracks[] = [];
  readonly #userBySsrc = new Map<number, string>();
  /** Each user's room video SSRC as last sent into its slot (a retransmission must be of that stream). */
  readonly #videoSourceOf = new Map<string, number>();
  #ownAudio: Track | null = null;
  #ownVideo: Track | null = null;
  /** The browser's camera SSRCs ↔ the member's Ready streams (simulcast layers); keyframe requests go back by it. */
  readonly #layers: BrowserLayers;
  #closed = false;
  /** The last RTCP compound handled and when: the native stack hands a compound to every track it names. */
  #lastRtcp: Buffer | null = null;
  #lastRtcpAt = 0;
  /** When the browser was last sent BROWSER_SEND_ESTIMATE. */
  #sendEstimateAt = Number.NEGATIVE_INFINITY;

  private constructor(member: SfuMember, host: WebRtcLegHost, plan: OfferPlan, pc: PeerConnection) {
    this.#member = member;
    this.#host = host;
    this.#plan = plan;
    this.#pc = pc;
    this.#slots = new SlotMap(Math.max(plan.audioSlots.length, plan.videoSlots.length));
    this.#layers = new BrowserLayers(plan.ownVideo?.simulcast ?? null, plan.ownVideo?.ssrcs[0] ?? null);
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
    // Slot SSRCs are chosen first and written into the offer the native stack gets: it routes RTCP to a track only by
    // the SSRCs it knows, and the browser's feedback (NACK, PLI, REMB) names the slot SSRCs.
    const taken = new Set<number>();
    const ssrcs = Array.from({ length: this.#slots.size }, () => ({
      audio: randomSsrc(taken),
      video: randomSsrc(taken),
    }));
    const slotSsrcs = new Map<string, number>();
    for (let i = 0; i < this.#slots.size; i++) {
      const audio = plan.audioSlots[i];
      const video = plan.videoSlots[i];
      if (audio) slotSsrcs.set(audio.mid, ssrcs[i]!.audio);
      if (video) slotSsrcs.set(video.mid, ssrcs[i]!.video);
    }
    this.#pc.setRemoteDescription(buildSanitizedOffer(plan, slotSsrcs), 'offer');
    await done;
    this.#ownAudio = plan.ownAudio ? (tracks.get(plan.ownAudio.mid) ?? null) : null;
    this.#ownVideo = plan.ownVideo ? (tracks.get(plan.ownVideo.mid) ?? null) : null;
    this.#ownAudio?.onMessage((msg) => this.#fromBrowser(msg, 'audio'));
    this.#ownVideo?.onMessage((msg) => this.#fromBrowser(msg, 'video'));
    const answerSlots: AnswerSlot[] = [];
    for (let i = 0; i < this.#slots.size; i++) {
      const audio = plan.audioSlots[i];
      const video = plan.videoSlots[i];
      const slot: SlotTracks = {
        audio: audio ? (tracks.get(audio.mid) ?? null) : null,
        video: video ? (tracks.get(video.mid) ?? null) : null,
        audioSsrc: ssrcs[i]!.audio,
        videoSsrc: ssrcs[i]!.video,
      };
      // Feedback from the browser about a slot (PLI when it cannot decode) arrives on the slot's track.
      slot.video?.onMessage((msg) => this.#fromBrowser(msg, 'video'));
      this.#slotTracks.push(slot);
      if (audio) answerSlots.push({ mid: audio.mid, kind: 'audio', index: i, ssrc: slot.audioSsrc });
      if (video) answerSlots.push({ mid: video.mid, kind: 'video', index: i, ssrc: slot.videoSsrc });
    }
    const local = this.#pc.localDescription();
    if (!local) throw new Error('no local description');
    const answer = addSlotsToAnswer(local.sdp, answerSlots);
    const own = plan.ownVideo;
    return own?.simulcast ? addSimulcastToAnswer(answer, own.mid, own.simulcast) : answer;
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
      if (isRtcp(msg)) {
        // One compound naming several slots (receiver reports, REMB's SSRC list) arrives once per slot track.
        const now = performance.now();
        if (this.#lastRtcp?.equals(msg) && now - this.#lastRtcpAt < RTCP_DUPLICATE_MS) return;
        this.#lastRtcp = msg;
        this.#lastRtcpAt = now;
        this.#rtcpFromBrowser(msg);
      } else this.#rtpFromBrowser(msg, kind);
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
    let roomSsrc = member.ssrc;
    if (kind === 'video') {
      const layers = member.video?.layers ?? [];
      const index = this.#layers.layerOf(msg, msg.readUInt32BE(8), layers);
      if (index < 0) return void this.stats.dropped.unbound++;
      roomSsrc = layers[index]!.ssrc;
      this.#allowSending(msg.readUInt32BE(8));
    }
    const { opened } = toRoomRtp(msg, roomSsrc, kind === 'audio' ? ROOM_OPUS : ROOM_VP8);
    this.stats.received++;
    this.#host.receive(member, opened);
  }

  /**
   * Feedback from the browser, renamed into the room's terms and handed to the Sfu as this member's own: a PLI/FIR
   * about a slot's video becomes a PLI about the user it carries, a NACK of slot sequence numbers a NACK of that user's
   * stream as the room numbered it (answered from the retransmission cache, see `#retransmit`), and a REMB the
   * member's estimate (its budget for layer selection). Other RTCP (receiver reports) is not used.
   */
  #rtcpFromBrowser(msg: Buffer): void {
    const out: Buffer[] = [];
    const sender = this.#member.ssrc;
    for (const item of parseFeedback(msg)) {
      if (item.kind === 'remb') {
        this.stats.estimate = item.bitrate;
        this.stats.feedback.remb++;
        out.push(buildRemb(sender, item.bitrate, []));
        continue;
      }
      const targets = item.kind === 'fir' ? item.entries.slice(0, 4).map((e) => e.ssrc) : [item.media];
      for (const target of targets) {
        const index = this.#slotTracks.findIndex((s) => s.videoSsrc === target);
        if (index < 0) {
          this.stats.dropped.rtcp++;
          continue;
        }
        if (item.kind === 'nack') {
          const room = this.#slots.toRoom(index, 'video', item.lost);
          if (!room || room.sequences.length === 0) {
            this.stats.dropped.rtcp++;
            continue;
          }
          this.stats.feedback.nack++;
          out.push(buildNack(sender, room.source, room.sequences));
          continue;
        }
        const source = this.#slots.sourceOf(index, 'video');
        if (source === null) {
          this.stats.dropped.rtcp++;
          continue;
        }
        this.stats.feedback.keyframe++;
        out.push(buildPli(sender, source));
      }
    }
    if (out.length > 0) this.#host.receiveRtcp(this.#member, Buffer.concat(out));
  }

  /**
   * The Sfu's answer to a NACK (RTX: OSN ‖ payload on the sender's RTX SSRC) goes to the browser as the original
   * packet again: the slot's SSRC and payload type, and the slot sequence number and timestamp the browser first saw
   * (RFC 4585 retransmission on the media stream; the page's offer has no RTX to negotiate, and SRTP in
   * libdatachannel allows repeated sequence numbers). Nothing about the slot's numbering moves.
   */
  #retransmit(fixed: ReturnType<typeof readRtpFixedHeader>, payload: Buffer): void {
    const userId = this.#userBySsrc.get(fixed.ssrc) ?? this.#host.userOfSsrc(fixed.ssrc);
    const index = userId === null ? null : this.#slots.indexOf(userId);
    const source = userId === null ? undefined : this.#videoSourceOf.get(userId);
    const tracks = index === null ? undefined : this.#slotTracks[index];
    if (payload.length < 2 || index === null || source === undefined || !tracks?.video) {
      this.stats.dropped.noSlot++;
      return;
    }
    const slotted = this.#slots.toSlot(index, 'video', source, payload.readUInt16BE(0), fixed.timestamp);
    if (!slotted) return void this.stats.dropped.noSlot++;
    const packet = Buffer.allocUnsafe(12 + payload.length - 2);
    packet[0] = 0x80;
    packet[1] = (fixed.marker ? 0x80 : 0) | this.#plan.vp8PayloadType!;
    packet.writeUInt16BE(slotted[0], 2);
    packet.writeUInt32BE(slotted[1], 4);
    packet.writeUInt32BE(tracks.videoSsrc, 8);
    payload.copy(packet, 12, 2);
    this.stats.retransmitted++;
    this.#send(tracks.video, packet);
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
    } else if (fixed.payloadType === ROOM_VP8_RTX && this.#plan.vp8PayloadType !== null) {
      this.#retransmit(fixed, payload);
      return;
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
    if (kind === 'video') this.#videoSourceOf.set(userId, fixed.ssrc);
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
  /** REMB to the browser about its camera, at most once per SEND_ESTIMATE_INTERVAL_MS (see BROWSER_SEND_ESTIMATE). */
  #allowSending(browserSsrc: number): void {
    const now = performance.now();
    if (!this.#ownVideo || now - this.#sendEstimateAt < SEND_ESTIMATE_INTERVAL_MS) return;
    this.#sendEstimateAt = now;
    this.#send(this.#ownVideo, buildRemb(this.#member.ssrc, BROWSER_SEND_ESTIMATE, [browserSsrc]));
  }

  public sendRtcp(packet: Buffer): void {
    const camera = this.#ownVideo;
    if (this.#closed || !camera) return;
    const targets = new Set<number>();
    try {
      for (const f of parseFeedback(packet)) {
        const rooms = f.kind === 'pli' ? [f.media] : f.kind === 'fir' ? f.entries.slice(0, 4).map((e) => e.ssrc) : [];
        for (const room of rooms) {
          const target = this.#layers.browserSsrc(room);
          if (target !== null) targets.add(target);
        }
      }
    } catch {
      this.stats.dropped.rtcp++;
      return;
    }
    // The layer asked for, by the browser SSRC that carries it (every layer is its own encoder in the browser).
    for (const target of targets) this.#send(camera, buildPli(this.#member.ssrc, target));
  }

  /** A user left the room: its slot may go to someone else at once. */
  public release(userId: string): void {
    this.#slots.release(userId);
    this.#videoSourceOf.delete(userId);
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
