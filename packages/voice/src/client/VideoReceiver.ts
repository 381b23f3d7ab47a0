import {
  type AssemblerOutput,
  type AssemblerPacket,
  FrameAssembler,
  type FrameAssemblerOptions,
} from '../video/rtp/FrameAssembler.js';
import type { VideoDepacketizer } from '../video/rtp/VideoDepacketizer.js';
import type { VideoCodecName } from '../video/rtp/videoCodecs.js';

/** Times one missing packet is NACKed before we stop asking (the frame is then given up by the assembler). */
const MAX_NACKS_PER_PACKET = 5;
/** Spacing of NACKs for the same packet, ms: a retransmission over a loopback or LAN SFU comes back well within it. */
const NACK_RETRY_MS = 30;
/** Missing packets tracked for NACK at most (the assembler's window bounds them too). */
const MAX_TRACKED = 512;

/**
 * The receive side of one remote video stream (one SSRC as the SFU forwards it): the frame assembler, the NACK
 * bookkeeping of its missing packets, and the PLI pacing. Knows no sockets: the session sends what it returns.
 */
export class VideoReceiver {
  public readonly ssrc: number;
  public readonly codec: VideoCodecName;
  public readonly assembler: FrameAssembler;
  /** Missing sequence number → when it was last NACKed and how often. */
  private readonly nacks = new Map<number, { at: number; tries: number }>();
  private lastPli = Number.NEGATIVE_INFINITY;

  public constructor(ssrc: number, depacketizer: VideoDepacketizer, options: FrameAssemblerOptions = {}) {
    this.ssrc = ssrc;
    this.codec = depacketizer.codec;
    this.assembler = new FrameAssembler(depacketizer, options);
  }

  /** One packet (from the stream itself or unwrapped from RTX); `lost` of the result is to be NACKed now. */
  public push(packet: AssemblerPacket, nowMs: number): AssemblerOutput {
    this.nacks.delete(packet.sequence & 0xffff);
    const out = this.assembler.push(packet, nowMs);
    for (const seq of out.lost) {
      if (this.nacks.size >= MAX_TRACKED) break;
      this.nacks.set(seq, { at: nowMs, tries: 1 });
    }
    return out;
  }

  public poll(nowMs: number): AssemblerOutput {
    return this.assembler.poll(nowMs);
  }

  /** Whether RTX carrying this original sequence number would fill a hole of this stream. */
  public awaits(sequence: number): boolean {
    return this.assembler.isMissing(sequence);
  }

  /** Sequence numbers to NACK again now (still missing, last asked long enough ago, not asked too often). */
  public dueNacks(nowMs: number): number[] {
    const due: number[] = [];
    for (const [seq, state] of this.nacks) {
      if (!this.assembler.isMissing(seq) || state.tries >= MAX_NACKS_PER_PACKET) {
        this.nacks.delete(seq);
        continue;
      }
      if (nowMs - state.at < NACK_RETRY_MS) continue;
      state.at = nowMs;
      state.tries++;
      due.push(seq);
    }
    return due;
  }

  /** Whether a PLI may go out now (at most one per `intervalMs`); notes it as sent when true. */
  public pliDue(nowMs: number, intervalMs: number): boolean {
    if (nowMs - this.lastPli < intervalMs) return false;
    this.lastPli = nowMs;
    return true;
  }

  /** Forgets the stream's state (its sender turned the camera off or changed): the next frame must be a keyframe. */
  public reset(): void {
    this.assembler.reset();
    this.nacks.clear();
  }
}
