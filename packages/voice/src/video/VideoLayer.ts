import { RetransmissionCache } from './RetransmissionCache.js';
import type { StreamType } from './videoTypes.js';

/** How long a layer counts as being sent after its last packet (a sender may stop a layer under load). */
export const LAYER_TIMEOUT_MS = 1_000;
/** Bitrate measurement window. */
const WINDOW_MS = 500;

/**
 * One simulcast layer of a sender (one Ready `streams` entry): its server-allocated SSRCs, what op 12 says of it, what
 * the SFU measures of it (bitrate, last packet, last keyframe), its retransmission cache and keyframe-request state.
 */
export class VideoLayer {
  public readonly index: number;
  public readonly type: StreamType;
  public readonly rid: string;
  public readonly quality: number;
  public readonly ssrc: number;
  public readonly rtxSsrc: number;
  /** op 12 `active`; a layer the sender announced inactive is never forwarded. */
  public active = false;
  /** op 12 `max_bitrate` (bits/s), the estimate used before the layer's own bitrate is measured. */
  public maxBitrate: number | null = null;
  /** Measured bits per second (smoothed over WINDOW_MS windows); 0 until a window closed. */
  public bitrate = 0;
  public lastPacketAt = Number.NEGATIVE_INFINITY;
  public lastKeyframeAt = Number.NEGATIVE_INFINITY;
  /** When a keyframe was last asked for (PLI/FIR sent to the sender for this layer). */
  public keyframeRequestAt = Number.NEGATIVE_INFINITY;
  /** FIR request number (RFC 5104 §4.3.1.1), incremented per FIR sent. */
  public firSeq = 0;
  public readonly cache = new RetransmissionCache();
  #windowStart = Number.NEGATIVE_INFINITY;
  #windowBytes = 0;

  public constructor(
    index: number,
    init: { type: StreamType; rid: string; quality: number; ssrc: number; rtxSsrc: number },
  ) {
    this.index = index;
    this.type = init.type;
    this.rid = init.rid;
    this.quality = init.quality;
    this.ssrc = init.ssrc;
    this.rtxSsrc = init.rtxSsrc;
  }

  /** A packet of `bytes` payload bytes arrived at `now` (ms). */
  public note(bytes: number, now: number): void {
    if (now - this.lastPacketAt > LAYER_TIMEOUT_MS) {
      // Resumed after a pause: measure afresh.
      this.#windowStart = now;
      this.#windowBytes = 0;
    }
    this.lastPacketAt = now;
    this.#windowBytes += bytes;
    const elapsed = now - this.#windowStart;
    if (elapsed >= WINDOW_MS) {
      const measured = (this.#windowBytes * 8 * 1000) / elapsed;
      this.bitrate = this.bitrate === 0 ? measured : (this.bitrate + measured) / 2;
      this.#windowStart = now;
      this.#windowBytes = 0;
    }
  }

  /** Sent recently and not announced inactive. */
  public alive(now: number): boolean {
    return this.active && now - this.lastPacketAt <= LAYER_TIMEOUT_MS;
  }

  /** What forwarding this layer costs a receiver: measured, else announced, else unknown (0: fits any budget). */
  public cost(): number {
    return this.bitrate > 0 ? this.bitrate : (this.maxBitrate ?? 0);
  }
}
