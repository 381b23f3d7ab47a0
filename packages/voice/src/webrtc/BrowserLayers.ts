import { parseRtpPacket } from '../rtp/RtpHeader.js';
import { readRid } from './ridExtension.js';
import type { OfferSimulcast } from './SdpOffer.js';

/** What a browser's camera layer maps to in the room: a member's Ready stream (VideoLayer's ssrc, rid, quality). */
export interface RoomLayer {
  readonly ssrc: number;
  readonly rid: string;
  readonly quality: number;
}

/** Browser SSRCs bound at most (a camera's simulcast layers, and a few SSRC changes). */
const MAX_BOUND = 8;

/**
 * Which of the member's Ready video streams each SSRC of the browser's camera is (docs/protocol.md "Browsers
 * (WebRTC)"). One stream: every SSRC is stream 0. Simulcast signalled with `a=ssrc-group:SIM`: the i-th SSRC (lowest
 * resolution first) is the stream of the i-th lowest quality. Simulcast by RID: an SSRC is bound on its first packet
 * that carries the RTP stream id extension, to the stream whose Identify `rid` is the same; until then its packets
 * are dropped. The reverse map sends the room's keyframe requests for a stream to the browser SSRC of that layer.
 */
export class BrowserLayers {
  readonly #simulcast: OfferSimulcast | null;
  readonly #byBrowserSsrc = new Map<number, number>();
  readonly #browserSsrcOf = new Map<number, number>();
  /** The browser SSRC seen last (keyframe requests for a single-stream camera go to it). */
  public last: number | null = null;

  public constructor(simulcast: OfferSimulcast | null, initial: number | null) {
    this.#simulcast = simulcast;
    this.last = initial;
  }

  /**
   * The index in `layers` of the stream a browser packet belongs to, or -1 (not bound yet, or no such stream).
   * `msg` is the whole RTP packet (read only when a RID must be looked up; PacketError on a lying header).
   */
  public layerOf(msg: Buffer, ssrc: number, layers: readonly RoomLayer[]): number {
    if (layers.length === 0) return -1;
    const simulcast = this.#simulcast;
    if (!simulcast) {
      this.last = ssrc;
      this.#browserSsrcOf.set(layers[0]!.ssrc, ssrc);
      return 0;
    }
    const known = this.#byBrowserSsrc.get(ssrc);
    if (known !== undefined) return known < layers.length ? known : -1;
    let index = -1;
    const simAt = simulcast.ssrcs.indexOf(ssrc);
    if (simAt >= 0) {
      const byQuality = [...layers.keys()].sort((a, b) => layers[a]!.quality - layers[b]!.quality);
      index = byQuality[simAt] ?? -1;
    } else if (simulcast.ridExtension !== null) {
      const layout = parseRtpPacket(msg);
      const block = msg.subarray(layout.extensionBodyStart, layout.extensionBodyStart + layout.extensionBodyLength);
      const rid = layout.header.extension ? readRid(layout.extensionProfile, block, simulcast.ridExtension) : null;
      index = rid === null ? -1 : layers.findIndex((layer) => layer.rid === rid);
    }
    if (index < 0 || this.#byBrowserSsrc.size >= MAX_BOUND) return -1;
    this.#byBrowserSsrc.set(ssrc, index);
    this.#browserSsrcOf.set(layers[index]!.ssrc, ssrc);
    this.last = ssrc;
    return index;
  }

  /** The browser SSRC that carries the room stream `roomSsrc` (a keyframe request's target), else the last seen. */
  public browserSsrc(roomSsrc: number): number | null {
    return this.#browserSsrcOf.get(roomSsrc) ?? this.last;
  }
}
