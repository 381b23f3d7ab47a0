import type { EventEmitter } from 'eventemitter3';
import type { OpenedRtp } from '../crypto/PacketCipher.js';
import { VoiceError } from '../errors.js';
import { buildNack, buildPli, buildRemb, parseFeedback } from '../video/rtcpFeedback.js';
import type { AssemblerOutput } from '../video/rtp/FrameAssembler.js';
import { H264Nal, splitAnnexB } from '../video/rtp/h264.js';
import { unwrapRtx } from '../video/rtp/rtx.js';
import { depacketizerFor } from '../video/rtp/VideoDepacketizer.js';
import { DEFAULT_VIDEO_PAYLOAD_TYPES, VIDEO_CLOCK_RATE, type VideoCodecName } from '../video/rtp/videoCodecs.js';
import { isVp8KeyframeData, vp8FrameSize } from '../video/rtp/vp8.js';
import type { KeyframeRequest, RemoteVideo, VideoStats } from './VideoEvents.js';
import { defaultVideoOptions, type VoiceClientVideoOptions } from './VideoOptions.js';
import { VideoReceiver } from './VideoReceiver.js';
import { type OutgoingRtp, VideoSender } from './VideoSender.js';
import type { VoiceClientEvents } from './VoiceClientEvents.js';
import {
  type AllocatedLayer,
  MEDIA_SINK_WANTS_OP,
  mediaSinkWantsPayload,
  readReadyStreams,
  readRemoteVideo,
  readVideoCodec,
  videoPayload,
} from './videoPayloads.js';

/** Remote video streams received at most (each holds an assembler window). */
const MAX_RECEIVERS = 64;
/** How often receivers are polled (stalls given up, NACKs repeated) and REMB checked, ms. */
const TICK_MS = 20;
const VIDEO_OP = 12;
/** A keyframe request not answered by a keyframe within this time is emitted again, ms. */
const KEYFRAME_REMINDER_MS = 1000;

/** How the session reaches the network: the client seals and sends, or answers false when not connected. */
export interface VideoTransport {
  sendRtp(packet: OutgoingRtp): boolean;
  sendRtcp(plain: Buffer): boolean;
  sendOp(op: number, d: unknown): boolean;
  /** Our audio SSRC: the sender SSRC of our RTCP (the one the SFU knows us by). */
  audioSsrc(): number;
}

/** Options of `sendVideoFrame`. */
export interface SendVideoFrameOptions {
  /** The layer (`rid`) this frame is for; default the first layer. */
  rid?: string;
  /** Capture time in 90 kHz units, the same for a frame on every layer (default: from the monotonic clock). */
  timestamp?: number;
  /** Whether the frame is a keyframe (default: read from the frame). */
  keyframe?: boolean;
}

function emptyStats(): VideoStats {
  return {
    framesSent: 0,
    packetsSent: 0,
    retransmitted: 0,
    framesReceived: 0,
    keyframesReceived: 0,
    framesDropped: 0,
    packetsReceived: 0,
    rtxReceived: 0,
    nacksSent: 0,
    plisSent: 0,
    rembsSent: 0,
    keyframeRequests: 0,
  };
}

/**
 * A client's video, both ways: our simulcast layers (SSRCs from Ready, op 12 announcements, packetization, RTX answers
 * to NACKs, keyframe requests from PLI/FIR) and the streams of others (relayed op 12 → SSRC owners, reassembly, NACK,
 * PLI, RTX unwrapping, REMB for our receive cap, op 15). Lives as long as the client; `clear` on a server change.
 */
export class VideoSession {
  public readonly stats: VideoStats = emptyStats();
  private readonly client: EventEmitter<VoiceClientEvents>;
  private readonly users: Map<number, string>;
  private readonly options: VoiceClientVideoOptions;
  private readonly transport: VideoTransport;
  private codec: VideoCodecName;
  private senders: VideoSender[] = [];
  private active = false;
  /** Layers a keyframe was asked for and not sent yet, with when the event went out (one event per request burst). */
  private readonly keyframePending = new Map<string, number>();
  private readonly receivers = new Map<number, VideoReceiver>();
  private readonly remotes = new Map<string, RemoteVideo>();
  /** RTX SSRC → the video SSRC it repairs (from relayed op 12). */
  private readonly rtxOf = new Map<number, number>();
  private maxReceiveBitrate: number | null;
  private lastRemb = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | null = null;
  private outbox: Buffer[] = [];
  /** Frames dropped by receivers since forgotten (so `stats.framesDropped` never goes down). */
  private droppedByGone = 0;

  public constructor(
    client: EventEmitter<VoiceClientEvents>,
    users: Map<number, string>,
    options: VoiceClientVideoOptions,
    transport: VideoTransport,
  ) {
    this.client = client;
    this.users = users;
    this.options = options;
    this.transport = transport;
    this.codec = options.codec ?? defaultVideoOptions.codec;
    this.maxReceiveBitrate = options.maxReceiveBitrate ?? null;
  }

  /** Our layers with their SSRCs (empty before Ready, or when the server allocated none). */
  public get layers(): readonly AllocatedLayer[] {
    return this.senders.map((s) => s.allocated);
  }

  /** Others' camera state as last announced, by user. */
  public get remoteVideos(): ReadonlyMap<string, RemoteVideo> {
    return this.remotes;
  }

  /** Ready: one sender per layer the server allocated SSRCs for. */
  public onReady(streams: unknown): void {
    const codec = this.codec;
    const types = DEFAULT_VIDEO_PAYLOAD_TYPES[codec];
    this.senders = readReadyStreams(streams, this.options.layers ?? []).map((a) => new VideoSender(a, codec, types));
    this.active = false;
  }

  /** Session Description: the session's video codec; REMB (if capped) goes out at once. */
  public onSessionDescription(d: Record<string, unknown>): void {
    const codec = readVideoCodec(d);
    if (codec && codec !== this.codec && (codec === 'VP8' || codec === 'H264')) {
      this.codec = codec;
      const types = DEFAULT_VIDEO_PAYLOAD_TYPES[codec];
      this.senders = this.senders.map((s) => new VideoSender(s.allocated, codec, types));
    }
    this.lastRemb = Number.NEGATIVE_INFINITY;
    this.ensureTimer();
    this.sendRemb(performance.now());
  }

  /** A relayed op 12: who sends video on which SSRCs, or that their camera went off. */
  public onRemoteVideo(d: Record<string, unknown>): void {
    const remote = readRemoteVideo(d);
    if (!remote) return;
    const previous = this.remotes.get(remote.userId);
    if (previous && previous.videoSsrc !== remote.videoSsrc) this.dropStream(previous);
    this.remotes.set(remote.userId, remote);
    if (remote.videoSsrc !== 0) {
      this.users.set(remote.videoSsrc, remote.userId);
      for (const rtx of [remote.rtxSsrc, ...remote.streams.map((s) => s.rtxSsrc)]) {
        if (rtx === 0) continue;
        this.rtxOf.set(rtx, remote.videoSsrc);
        this.users.set(rtx, remote.userId);
      }
    }
    this.client.emit('video', remote);
  }

  /** A member left: forget its streams. */
  public forgetUser(userId: string): void {
    const remote = this.remotes.get(userId);
    if (remote) this.dropStream(remote);
    this.remotes.delete(userId);
  }

  /** Whether an RTP payload type is one of our video or RTX types. */
  public handles(payloadType: number): boolean {
    for (const t of Object.values(DEFAULT_VIDEO_PAYLOAD_TYPES)) {
      if (t.payloadType === payloadType || t.rtxPayloadType === payloadType) return true;
    }
    return false;
  }

  /** One decrypted video or RTX packet from the SFU. */
  public receive(opened: OpenedRtp): void {
    const now = performance.now();
    const codec = codecOfPayloadType(opened.payloadType);
    if (!codec) return;
    this.stats.packetsReceived++;
    if (opened.payloadType === DEFAULT_VIDEO_PAYLOAD_TYPES[codec].rtxPayloadType) {
      this.receiveRtx(opened, now);
      return;
    }
    let receiver = this.receivers.get(opened.ssrc);
    if (!receiver) {
      const depacketizer = depacketizerFor(codec);
      if (!depacketizer || this.receivers.size >= MAX_RECEIVERS) return;
      receiver = new VideoReceiver(opened.ssrc, depacketizer, this.options.assembler);
      this.receivers.set(opened.ssrc, receiver);
      this.ensureTimer();
    }
    const packet = {
      sequence: opened.sequence,
      timestamp: opened.timestamp,
      marker: opened.marker,
      payload: opened.payload,
    };
    this.handleOutput(receiver, receiver.push(packet, now), now);
  }

  /** Plaintext RTCP from the SFU: keyframe requests and NACKs about our layers. */
  public onRtcp(plain: Uint8Array): void {
    let feedback: ReturnType<typeof parseFeedback>;
    try {
      feedback = parseFeedback(plain);
    } catch {
      return;
    }
    for (const f of feedback) {
      if (f.kind === 'pli') this.keyframeRequested(f.media, 'pli');
      else if (f.kind === 'fir') for (const e of f.entries) this.keyframeRequested(e.ssrc, 'fir');
      else if (f.kind === 'nack') {
        const sender = this.senders.find((s) => s.allocated.ssrc === f.media);
        for (const packet of sender?.retransmit(f.lost.slice(0, 256)) ?? []) {
          if (this.transport.sendRtp(packet)) this.stats.retransmitted++;
        }
      }
    }
  }

  /** Packetizes, seals and sends one encoded frame on a layer; announces the camera (op 12) first if it was off. */
  public sendFrame(frame: Uint8Array, options: SendVideoFrameOptions = {}): number {
    const sender =
      options.rid === undefined ? this.senders[0] : this.senders.find((s) => s.allocated.layer.rid === options.rid);
    if (!sender) {
      throw new VoiceError('VOICE_NO_VIDEO_STREAM', `no video stream allocated for rid ${options.rid ?? '(first)'}`);
    }
    if (!this.active) this.setActive(true);
    const timestamp = options.timestamp ?? Math.round((performance.now() * VIDEO_CLOCK_RATE) / 1000);
    const packets = sender.packetize(frame, timestamp, this.options.maxPayload ?? defaultVideoOptions.maxPayload);
    for (const packet of packets) {
      if (!this.transport.sendRtp(packet)) throw new VoiceError('VOICE_NOT_READY', 'not connected');
    }
    this.stats.framesSent++;
    this.stats.packetsSent += packets.length;
    const keyframe = options.keyframe ?? isKeyframeData(this.codec, frame);
    if (keyframe) this.keyframePending.delete(sender.allocated.layer.rid);
    return packets.length;
  }

  /** Camera on (every layer active) or off (op 12 with video SSRC 0). */
  public setActive(active: boolean): void {
    if (this.senders.length === 0 && active) {
      throw new VoiceError('VOICE_NO_VIDEO_STREAM', 'the server allocated no video stream');
    }
    this.active = active;
    this.transport.sendOp(VIDEO_OP, videoPayload(this.transport.audioSsrc(), this.layers, active));
  }

  /** Changes the receive cap (REMB goes out at once); null stops sending REMB. */
  public setMaxReceiveBitrate(bitrate: number | null): void {
    this.maxReceiveBitrate = bitrate;
    this.ensureTimer();
    this.sendRemb(performance.now(), true);
  }

  /** Op 15: the quality (0-100) wanted of every stream, or of one SSRC. */
  public setWantedQuality(quality: number, ssrc?: number): void {
    this.transport.sendOp(MEDIA_SINK_WANTS_OP, mediaSinkWantsPayload(quality, ssrc));
  }

  /** Sends a PLI about a user's (or an SSRC's) video now. */
  public requestKeyframe(target: string | number): void {
    const ssrc = typeof target === 'number' ? target : this.remotes.get(target)?.videoSsrc;
    if (!ssrc) return;
    this.queueRtcp(buildPli(this.transport.audioSsrc(), ssrc));
    this.stats.plisSent++;
  }

  /** A new server: SSRCs start over. */
  public clear(): void {
    this.senders = [];
    this.active = false;
    for (const r of this.receivers.values()) this.droppedByGone += r.assembler.stats.dropped;
    this.receivers.clear();
    this.remotes.clear();
    this.rtxOf.clear();
    this.keyframePending.clear();
  }

  public dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.clear();
  }

  private receiveRtx(opened: OpenedRtp, now: number): void {
    let original: { sequence: number; payload: Uint8Array };
    try {
      original = unwrapRtx(opened.payload);
    } catch {
      return;
    }
    let ssrc = this.rtxOf.get(opened.ssrc);
    if (ssrc === undefined) {
      // An RTX SSRC nobody announced: usable when exactly one stream awaits that sequence number.
      const candidates = [...this.receivers.values()].filter((r) => r.awaits(original.sequence));
      if (candidates.length !== 1) return;
      ssrc = candidates[0]!.ssrc;
    }
    const receiver = this.receivers.get(ssrc);
    if (!receiver?.awaits(original.sequence)) return;
    this.stats.rtxReceived++;
    const packet = { sequence: original.sequence, timestamp: opened.timestamp, marker: opened.marker };
    this.handleOutput(receiver, receiver.push({ ...packet, payload: original.payload }, now), now);
  }

  private handleOutput(receiver: VideoReceiver, out: AssemblerOutput, now: number): void {
    const codec = receiver.codec;
    if (out.lost.length > 0 && (this.options.nack ?? defaultVideoOptions.nack)) {
      this.queueRtcp(buildNack(this.transport.audioSsrc(), receiver.ssrc, out.lost));
      this.stats.nacksSent++;
    }
    if (out.keyframeNeeded && receiver.pliDue(now, this.options.pliInterval ?? defaultVideoOptions.pliInterval)) {
      this.queueRtcp(buildPli(this.transport.audioSsrc(), receiver.ssrc));
      this.stats.plisSent++;
    }
    this.stats.framesDropped = this.droppedByGone;
    for (const r of this.receivers.values()) this.stats.framesDropped += r.assembler.stats.dropped;
    for (const frame of out.frames) {
      this.stats.framesReceived++;
      if (frame.keyframe) this.stats.keyframesReceived++;
      this.client.emit('videoFrame', {
        userId: this.users.get(receiver.ssrc) ?? null,
        ssrc: receiver.ssrc,
        codec,
        keyframe: frame.keyframe,
        data: frame.data,
        timestamp: frame.timestamp,
        size: codec === 'VP8' ? vp8FrameSize(frame.data) : null,
      });
    }
  }

  private keyframeRequested(ssrc: number, reason: KeyframeRequest['reason']): void {
    const sender = this.senders.find((s) => s.allocated.ssrc === ssrc);
    if (!sender) return;
    const rid = sender.allocated.layer.rid;
    this.stats.keyframeRequests++;
    const now = performance.now();
    const pending = this.keyframePending.get(rid);
    // An app that missed or ignored the event is reminded after a while; until then repeats are one request.
    if (pending !== undefined && now - pending < KEYFRAME_REMINDER_MS) return;
    this.keyframePending.set(rid, now);
    this.client.emit('keyframeRequested', { rid, ssrc, reason });
  }

  private dropStream(remote: RemoteVideo): void {
    this.droppedByGone += this.receivers.get(remote.videoSsrc)?.assembler.stats.dropped ?? 0;
    this.receivers.delete(remote.videoSsrc);
    for (const [rtx, video] of this.rtxOf) if (video === remote.videoSsrc) this.rtxOf.delete(rtx);
  }

  private ensureTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  private tick(): void {
    try {
      this.poll(performance.now());
    } catch (error) {
      // A throwing `videoFrame` listener must not become an uncaught exception in a timer.
      this.client.emit('error', error as Error);
    }
  }

  private poll(now: number): void {
    for (const receiver of this.receivers.values()) {
      this.handleOutput(receiver, receiver.poll(now), now);
      const due = this.options.nack === false ? [] : receiver.dueNacks(now);
      if (due.length > 0) {
        this.queueRtcp(buildNack(this.transport.audioSsrc(), receiver.ssrc, due));
        this.stats.nacksSent++;
      }
    }
    this.sendRemb(now);
  }

  private sendRemb(now: number, force = false): void {
    const cap = this.maxReceiveBitrate;
    if (cap === null) return;
    if (!force && now - this.lastRemb < (this.options.rembInterval ?? defaultVideoOptions.rembInterval)) return;
    this.lastRemb = now;
    const ssrcs = new Set<number>(this.receivers.keys());
    for (const r of this.remotes.values()) if (r.videoSsrc !== 0) ssrcs.add(r.videoSsrc);
    this.queueRtcp(buildRemb(this.transport.audioSsrc(), cap, [...ssrcs].slice(0, 255)));
    this.stats.rembsSent++;
  }

  /** Feedback made during one task goes out as one compound datagram. */
  private queueRtcp(packet: Buffer): void {
    this.outbox.push(packet);
    if (this.outbox.length === 1) {
      queueMicrotask(() => {
        const packets = this.outbox;
        this.outbox = [];
        if (packets.length > 0) this.transport.sendRtcp(Buffer.concat(packets));
      });
    }
  }
}

function codecOfPayloadType(pt: number): VideoCodecName | null {
  for (const [name, t] of Object.entries(DEFAULT_VIDEO_PAYLOAD_TYPES)) {
    if (t.payloadType === pt || t.rtxPayloadType === pt) return name as VideoCodecName;
  }
  return null;
}

function isKeyframeData(codec: VideoCodecName, frame: Uint8Array): boolean {
  if (codec === 'VP8') return isVp8KeyframeData(frame);
  return splitAnnexB(frame).some((nal) => (nal[0]! & 0x1f) === H264Nal.Idr);
}
