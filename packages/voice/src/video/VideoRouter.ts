import type { OpenedRtp } from '../crypto/PacketCipher.js';
import { buildRtpHeader } from '../rtp/RtpHeader.js';
import { type CodecTable, defaultCodecTable } from './codecs.js';
import { isKeyframe, type VideoCodecName } from './keyframe.js';
import { selectLayer } from './LayerSelector.js';
import { MemberVideo } from './MemberVideo.js';
import { buildFir, buildPli, type Feedback, parseFeedback } from './rtcpFeedback.js';
import { VideoForward } from './VideoForward.js';
import type { VideoLayer } from './VideoLayer.js';
import { createVideoStats, type VideoStats } from './VideoStats.js';
import type { VideoAnnouncement } from './videoTypes.js';

/** At most one keyframe request (PLI/FIR, generated or forwarded) per layer in this interval. */
export const KEYFRAME_REQUEST_INTERVAL_MS = 500;
/** Bandwidth a receiver's audio is assumed to take out of its REMB estimate before video is fitted in. */
export const AUDIO_RESERVE_BPS = 64_000;
/** NACKed packets answered per feedback message; a receiver that lost more needs a keyframe, not a flood. */
export const MAX_RTX_PER_NACK = 64;

/** What the video plane needs of a member (the Sfu's member record satisfies it). */
export interface VideoPeer {
  readonly ssrc: number;
  readonly room: string;
  muted: boolean;
  video?: MemberVideo | null;
}

/** What the video plane needs of the media plane around it. */
export interface VideoHost<M extends VideoPeer> {
  members(room: string): Iterable<M>;
  memberBySsrc(ssrc: number): M | undefined;
  reachable(member: M): boolean;
  /** Whether `receiver` may get `sender`'s media (positional rooms: the hearing rule). */
  audible(sender: M, receiver: M): boolean;
  /** Sends plaintext RTP to a member (its leg, or sealed to its address); false when it cannot receive. */
  deliver(member: M, header: Buffer, payload: Buffer): boolean;
  /**
   * Whether `deliver` to this member is done with the buffers when it returns (it seals them into a new datagram):
   * then the header is rewritten in place, with no copy per receiver. False for transports that may keep them.
   */
  sealsOnDeliver(member: M): boolean;
  /** Sends plaintext RTCP to a member; false when it cannot receive. */
  sendRtcp(member: M, packet: Buffer): boolean;
}

const DEFAULT_TABLE: CodecTable = defaultCodecTable();

/**
 * Video forwarding with simulcast: each receiver gets one layer of each sender, chosen by its bandwidth estimate and
 * wanted quality, switched only on a keyframe of the new layer (asked for with a PLI when none is at hand), rewritten
 * into one continuous stream under the sender's first video SSRC and re-numbered to the receiver's payload types.
 * Receivers' NACKs are answered here from each layer's retransmission cache (RTX, RFC 4588), their PLI/FIR go to the
 * sender for the layer they get, and their REMB sets their budget. Every packet goes out through the host's `deliver`,
 * so it is encrypted per receiver exactly as audio is (or handed to the receiver's leg).
 */
export class VideoRouter<M extends VideoPeer> {
  /** Members whose camera is on, per room: a receiver's budget is shared among them. */
  readonly #senders = new Map<string, Set<M>>();

  public constructor(
    private readonly host: VideoHost<M>,
    private readonly now: () => number = () => performance.now(),
    public readonly stats: VideoStats = createVideoStats(),
  ) {}

  /** The member's video state, created if it has none yet (a receiver that sends codecs, op 15 or REMB). */
  public static ensure(member: VideoPeer): MemberVideo {
    let video = member.video;
    if (!video) {
      video = new MemberVideo();
      member.video = video;
    }
    return video;
  }

  /** Applies a member's op 12 (camera on/off, active layers). */
  public announce(member: M, announcement: VideoAnnouncement): void {
    const video = VideoRouter.ensure(member);
    video.announce(announcement);
    let senders = this.#senders.get(member.room);
    if (video.active) {
      if (!senders) {
        senders = new Set();
        this.#senders.set(member.room, senders);
      }
      senders.add(member);
    } else this.#dropSender(member);
  }

  /** A member left: it is no longer a sender, nor anyone's receiver. */
  public remove(member: M): void {
    this.#dropSender(member);
    for (const other of this.host.members(member.room)) other.video?.forwards.delete(member);
  }

  /**
   * A decrypted RTP packet from `sender` whose SSRC is not its audio SSRC. False when it is none of the sender's video
   * SSRCs either (the caller treats it as before: audio).
   */
  public receive(sender: M, opened: OpenedRtp): boolean {
    const video = sender.video;
    if (!video) return false;
    const layer = video.bySsrc.get(opened.ssrc);
    if (!layer) {
      if (!video.rtxSsrcs.has(opened.ssrc)) return false;
      this.stats.dropped.rtx++;
      return true;
    }
    this.stats.received++;
    if (sender.muted) {
      this.stats.dropped.muted++;
      return true;
    }
    if (!video.active || !layer.active) {
      this.stats.dropped.inactive++;
      return true;
    }
    const codec = video.codecs.byPt.get(opened.payloadType);
    if (codec === undefined) {
      this.stats.dropped.codec++;
      return true;
    }
    const now = this.now();
    layer.note(opened.payload.length, now);
    const keyframe = isKeyframe(codec, opened.payload);
    if (keyframe) layer.lastKeyframeAt = now;
    layer.cache.put(opened.sequence, opened.timestamp, opened.marker, opened.payloadType, opened.payload, now);
    const senders = this.#senders.get(sender.room)?.size ?? 1;
    for (const receiver of this.host.members(sender.room)) {
      if (receiver === sender || !this.host.reachable(receiver)) continue;
      if (!this.host.audible(sender, receiver)) {
        this.stats.dropped.outOfRange++;
        continue;
      }
      this.#forwardTo(sender, video, layer, codec, keyframe, opened, receiver, senders, now);
    }
    return true;
  }

  #forwardTo(
    sender: M,
    video: MemberVideo,
    layer: VideoLayer,
    codec: VideoCodecName,
    keyframe: boolean,
    opened: OpenedRtp,
    receiver: M,
    senders: number,
    now: number,
  ): void {
    let forward = video.forwards.get(receiver);
    if (!forward) {
      forward = new VideoForward();
      video.forwards.set(receiver, forward);
    }
    const rx = receiver.video;
    const wanted = rx ? rx.wanted(video.videoSsrc) : 100;
    const target = selectLayer(video.layers, this.#budget(rx ?? null, senders), wanted, now, forward.current);
    forward.target = target;
    if (target < 0) {
      forward.pause();
      return;
    }
    if (target !== forward.current) {
      if (layer.index === target && keyframe) {
        if (forward.current >= 0) this.stats.layerSwitches++;
        forward.switchTo(target, opened, now);
      } else this.#requestKeyframe(sender, video.layers[target]!, 'pli', 0, now, false);
    }
    if (layer.index !== forward.current) return;
    const payloadType = (rx?.codecs ?? DEFAULT_TABLE).video.get(codec)?.pt;
    if (payloadType === undefined) {
      this.stats.dropped.codec++;
      return;
    }
    const header = forward.rewrite(opened, payloadType, video.videoSsrc, now, this.host.sealsOnDeliver(receiver));
    if (this.host.deliver(receiver, header, opened.payload)) this.stats.forwarded++;
  }

  /** A receiver's bandwidth for one sender: its estimate less audio, shared among the room's video senders. */
  #budget(rx: MemberVideo | null, senders: number): number {
    if (!rx || rx.estimate === null) return Number.POSITIVE_INFINITY;
    // The receiver's own camera (on: it is one of the room's senders) is not something it receives.
    const watched = Math.max(1, senders - (rx.active ? 1 : 0));
    return Math.max(0, rx.estimate - AUDIO_RESERVE_BPS) / watched;
  }

  /** Sends the sender a PLI (or FIR) for one layer, at most once per KEYFRAME_REQUEST_INTERVAL_MS per layer. */
  #requestKeyframe(sender: M, layer: VideoLayer, kind: 'pli' | 'fir', from: number, now: number, forwarded: boolean) {
    if (now - layer.keyframeRequestAt < KEYFRAME_REQUEST_INTERVAL_MS) {
      this.stats.plisThrottled++;
      return;
    }
    layer.keyframeRequestAt = now;
    const packet = kind === 'fir' ? buildFir(from, layer.ssrc, layer.firSeq++) : buildPli(from, layer.ssrc);
    if (!this.host.sendRtcp(sender, packet)) return;
    if (forwarded) this.stats.plisForwarded++;
    else this.stats.plisSent++;
  }

  /**
   * Video feedback in a plaintext RTCP compound from `reporter` (a receiver): REMB sets its budget, PLI/FIR go to the
   * sender named, NACKs are answered from the caches. False when the compound does not parse.
   */
  public feedback(reporter: M, packet: Buffer): boolean {
    let items: Feedback[];
    try {
      items = parseFeedback(packet);
    } catch {
      return false;
    }
    const now = this.now();
    for (const item of items) {
      switch (item.kind) {
        case 'remb':
          VideoRouter.ensure(reporter).estimate = item.bitrate;
          this.stats.estimates++;
          break;
        case 'pli':
          this.#keyframeFor(reporter, item.media, 'pli', now);
          break;
        case 'fir':
          for (const entry of item.entries.slice(0, 4)) this.#keyframeFor(reporter, entry.ssrc, 'fir', now);
          break;
        case 'nack':
          this.#answerNack(reporter, item.media, item.lost, now);
          break;
      }
    }
    return true;
  }

  /** The video sender a receiver's feedback names by the SSRC it sees (a sender's first video SSRC, same room). */
  #senderSeenAs(reporter: M, ssrc: number): M | null {
    const sender = this.host.memberBySsrc(ssrc);
    if (!sender || sender === reporter || sender.room !== reporter.room || sender.video?.videoSsrc !== ssrc) {
      this.stats.dropped.feedback++;
      return null;
    }
    return sender;
  }

  #keyframeFor(reporter: M, ssrc: number, kind: 'pli' | 'fir', now: number): void {
    const sender = this.#senderSeenAs(reporter, ssrc);
    const video = sender?.video;
    const forward = video?.forwards.get(reporter);
    if (!sender || !video || !forward) return;
    const index = forward.current >= 0 ? forward.current : forward.target;
    const layer = video.layers[index];
    if (layer) this.#requestKeyframe(sender, layer, kind, reporter.ssrc, now, true);
  }

  /** Resends NACKed packets as RTX: OSN (the sequence number the receiver saw) ‖ payload, on the RTX SSRC it knows. */
  #answerNack(reporter: M, ssrc: number, lost: readonly number[], now: number): void {
    const sender = this.#senderSeenAs(reporter, ssrc);
    const video = sender?.video;
    const forward = video?.forwards.get(reporter);
    if (!video || !forward) {
      this.stats.nacksMissed += lost.length;
      return;
    }
    const table = reporter.video?.codecs ?? DEFAULT_TABLE;
    const rtxSsrc = video.layers[0]!.rtxSsrc;
    let answered = 0;
    for (const seq of lost) {
      const at = answered < MAX_RTX_PER_NACK ? forward.lookup(seq) : null;
      const cached = at ? video.layers[at.layer]?.cache.get(at.sequence, now) : null;
      const codec = cached ? video.codecs.byPt.get(cached.payloadType) : undefined;
      const rtxPt = codec ? table.video.get(codec)?.rtx : undefined;
      if (!at || !cached || rtxPt === undefined || rtxPt === null) {
        this.stats.nacksMissed++;
        continue;
      }
      answered++;
      const header = buildRtpHeader({
        sequence: forward.nextRtxSeq(),
        timestamp: at.timestamp,
        ssrc: rtxSsrc,
        payloadType: rtxPt,
        marker: cached.marker,
      });
      const payload = Buffer.allocUnsafe(2 + cached.payload.length);
      payload.writeUInt16BE(seq & 0xffff, 0);
      cached.payload.copy(payload, 2);
      if (this.host.deliver(reporter, header, payload)) {
        this.stats.nacksAnswered++;
        this.stats.rtxSent++;
      } else this.stats.nacksMissed++;
    }
  }

  #dropSender(member: M): void {
    const senders = this.#senders.get(member.room);
    if (!senders) return;
    senders.delete(member);
    if (senders.size === 0) this.#senders.delete(member.room);
  }
}
