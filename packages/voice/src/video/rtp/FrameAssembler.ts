import { createRtpUnwrapper, type RtpUnwrapper } from '../../jitter/RtpUnwrapper.js';
import type { VideoDepacketizer } from './VideoDepacketizer.js';

/** One received video RTP packet, as the assembler needs it. */
export interface AssemblerPacket {
  sequence: number;
  timestamp: number;
  marker: boolean;
  payload: Uint8Array;
}

/** One whole encoded frame rebuilt from its packets. */
export interface AssembledFrame {
  timestamp: number;
  keyframe: boolean;
  data: Buffer;
  /** RTP sequence numbers of its first and last packet. */
  firstSequence: number;
  lastSequence: number;
  packets: number;
}

export interface FrameAssemblerOptions {
  /** Packets held at most (reordering window and frames waiting for retransmissions); default 1024. */
  maxPackets?: number;
  /** Largest frame accepted, bytes (default 4 MiB). */
  maxFrameBytes?: number;
  /** How long a missing packet may hold up the frames after it before its frame is given up, ms (default 300). */
  maxWaitMs?: number;
}

/** What one `push` or `poll` produced. */
export interface AssemblerOutput {
  /** Frames completed, in decoding order. */
  frames: AssembledFrame[];
  /** Sequence numbers (16-bit) newly seen missing: worth a NACK. */
  lost: number[];
  /** A frame was given up (or a non-keyframe arrived with the decoder out of sync): ask the sender for a keyframe. */
  keyframeNeeded: boolean;
}

export interface FrameAssemblerStats {
  frames: number;
  keyframes: number;
  /** Frames given up (a packet never came), malformed, or dropped while waiting for a keyframe. */
  dropped: number;
  /** Packets older than the frame being assembled, or duplicates. */
  late: number;
  /** Times the stream jumped too far to bridge (the window restarted). */
  resets: number;
}

const DEFAULTS = { maxPackets: 1024, maxFrameBytes: 4 * 2 ** 20, maxWaitMs: 300 } as const;

/**
 * Rebuilds the frames of one video RTP stream from packets that may arrive late, out of order, twice or never. Frames
 * come out in sequence order and only whole: a missing packet holds up the frames after it (while a retransmission may
 * still fill it) until `maxWaitMs` passes or the window is full; then its frame is given up and, because later frames
 * reference it, every frame up to the next keyframe is dropped and `keyframeNeeded` says to ask for one. Memory is
 * bounded by `maxPackets` and `maxFrameBytes` whatever the packets claim. Knows no clock: callers pass `nowMs` and call
 * `poll` now and then so that a stall ends even when no packet follows.
 */
export class FrameAssembler {
  public readonly stats: FrameAssemblerStats = { frames: 0, keyframes: 0, dropped: 0, late: 0, resets: 0 };
  private readonly depacketizer: VideoDepacketizer;
  private readonly maxPackets: number;
  private readonly maxFrameBytes: number;
  private readonly maxWaitMs: number;
  private readonly unwrapper: RtpUnwrapper = createRtpUnwrapper();
  /** Held packets by extended sequence number. */
  private readonly packets = new Map<number, AssemblerPacket>();
  /** Extended sequence numbers between `next` and `highest` not received yet. */
  private readonly holes = new Set<number>();
  /** Where the next frame to come out starts (a frame boundary); null before the first packet. */
  private next: number | null = null;
  private highest = 0;
  private stalledSince: number | null = null;
  /** The decoder has no usable reference: drop frames until a keyframe. True at the start. */
  private needKeyframe = true;

  public constructor(depacketizer: VideoDepacketizer, options: FrameAssemblerOptions = {}) {
    this.depacketizer = depacketizer;
    this.maxPackets = Math.max(2, options.maxPackets ?? DEFAULTS.maxPackets);
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULTS.maxFrameBytes;
    this.maxWaitMs = options.maxWaitMs ?? DEFAULTS.maxWaitMs;
  }

  /** Whether frames are being dropped until a keyframe arrives. */
  public get waitingForKeyframe(): boolean {
    return this.needKeyframe;
  }

  /** Packets held now. */
  public get held(): number {
    return this.packets.size;
  }

  /** Sequence numbers (16-bit) still missing and still awaited. */
  public missing(): number[] {
    return [...this.holes].sort((a, b) => a - b).map((s) => s & 0xffff);
  }

  /** Whether this (16-bit) sequence number is awaited. */
  public isMissing(sequence: number): boolean {
    for (const hole of this.holes) if ((hole & 0xffff) === (sequence & 0xffff)) return true;
    return false;
  }

  public push(packet: AssemblerPacket, nowMs: number): AssemblerOutput {
    const out: AssemblerOutput = { frames: [], lost: [], keyframeNeeded: false };
    const ext = this.unwrapper.unwrap(packet.sequence, packet.timestamp).seq;
    if (this.next === null) {
      this.next = ext;
      this.highest = ext;
    }
    if (ext < this.next || this.packets.has(ext)) {
      this.stats.late++;
      return out;
    }
    if (ext - this.next >= this.maxPackets) {
      // Too far ahead to bridge (a long outage or a sender restart): start over from this packet.
      this.stats.resets++;
      this.packets.clear();
      this.holes.clear();
      this.next = ext;
      this.highest = ext;
      this.stalledSince = null;
      this.needKeyframe = true;
      out.keyframeNeeded = true;
    }
    if (ext > this.highest) {
      for (let s = this.highest + 1; s < ext; s++) {
        this.holes.add(s);
        out.lost.push(s & 0xffff);
      }
      this.highest = ext;
    } else this.holes.delete(ext);
    this.packets.set(ext, packet);
    this.emit(nowMs, out);
    return out;
  }

  /** Gives up stalls older than `maxWaitMs` and emits what that unblocks. */
  public poll(nowMs: number): AssemblerOutput {
    const out: AssemblerOutput = { frames: [], lost: [], keyframeNeeded: false };
    this.emit(nowMs, out);
    return out;
  }

  /** Forgets everything (e.g. the stream changed hands); the next frame must be a keyframe. */
  public reset(): void {
    this.packets.clear();
    this.holes.clear();
    this.unwrapper.reset();
    this.next = null;
    this.stalledSince = null;
    this.needKeyframe = true;
  }

  private emit(nowMs: number, out: AssemblerOutput): void {
    while (this.next !== null && this.packets.size > 0) {
      const next = this.next;
      const first = this.packets.get(next);
      if (first && !this.depacketizer.isFrameStart(first.payload)) {
        // A frame boundary must hold a frame start: this is the tail of a frame whose head is gone.
        this.resync(out);
        continue;
      }
      const end = first ? this.frameEnd(next, first) : null;
      if (end === null) {
        this.stalledSince ??= nowMs;
        if (nowMs - this.stalledSince >= this.maxWaitMs || this.packets.size >= this.maxPackets) {
          this.resync(out);
          continue;
        }
        return;
      }
      this.stalledSince = null;
      this.take(next, end, out);
    }
  }

  /** The last sequence number of the frame starting at `start`, or null while a packet of it is missing. */
  private frameEnd(start: number, first: AssemblerPacket): number | null {
    for (let s = start; s <= this.highest; s++) {
      const p = this.packets.get(s);
      if (!p) return null;
      // A sender that left the marker off: the next timestamp ends the frame.
      if (p.timestamp !== first.timestamp) return s - 1;
      if (p.marker) return s;
    }
    return null;
  }

  /** Takes packets start..end out as one frame, emitted unless malformed or useless without a keyframe. */
  private take(start: number, end: number, out: AssemblerOutput): void {
    const payloads: Uint8Array[] = [];
    let bytes = 0;
    let keyframe = false;
    let timestamp = 0;
    for (let s = start; s <= end; s++) {
      const p = this.packets.get(s)!;
      this.packets.delete(s);
      if (s === start) timestamp = p.timestamp;
      payloads.push(p.payload);
      bytes += p.payload.length;
      if (!keyframe && this.depacketizer.isKeyframe(p.payload)) keyframe = true;
    }
    this.next = end + 1;
    let data: Buffer | null = null;
    if (bytes <= this.maxFrameBytes) {
      try {
        data = this.depacketizer.depacketize(payloads);
      } catch {
        data = null;
      }
    }
    if (data === null || (this.needKeyframe && !keyframe)) {
      this.stats.dropped++;
      this.needKeyframe = true;
      out.keyframeNeeded = true;
      return;
    }
    this.needKeyframe = false;
    this.stats.frames++;
    if (keyframe) this.stats.keyframes++;
    out.frames.push({
      timestamp,
      keyframe,
      data,
      firstSequence: start & 0xffff,
      lastSequence: end & 0xffff,
      packets: end - start + 1,
    });
  }

  /**
   * Gives up the frame at `next`: skips to the first held packet that surely starts a later frame (a frame start whose
   * predecessor ended a frame or is missing), dropping what lies before it, and asks for a keyframe.
   */
  private resync(out: AssemblerOutput): void {
    const next = this.next!;
    let target = this.highest + 1;
    const held = [...this.packets.keys()].sort((a, b) => a - b);
    for (const s of held) {
      if (s <= next) continue;
      const p = this.packets.get(s)!;
      if (!this.depacketizer.isFrameStart(p.payload)) continue;
      const prev = this.packets.get(s - 1);
      if (!prev || prev.marker || prev.timestamp !== p.timestamp) {
        target = s;
        break;
      }
    }
    for (const s of held) if (s < target) this.packets.delete(s);
    for (const h of this.holes) if (h < target) this.holes.delete(h);
    this.next = target;
    if (target > this.highest) this.highest = target - 1;
    this.stalledSince = null;
    this.stats.dropped++;
    this.needKeyframe = true;
    out.keyframeNeeded = true;
  }
}
