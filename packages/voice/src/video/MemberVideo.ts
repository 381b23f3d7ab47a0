import { type CodecTable, defaultCodecTable } from './codecs.js';
import type { VideoCodecName } from './keyframe.js';
import type { VideoForward } from './VideoForward.js';
import { VideoLayer } from './VideoLayer.js';
import type { RequestedStream, SinkWants, VideoAnnouncement } from './videoTypes.js';

/** Allowed bursts of RTCP from a video member (NACKs come in bursts after a loss), and their refill per second. */
const RTCP_BURST = 20;
const RTCP_PER_SECOND = 100;

/**
 * A member's video state, on both sides: as a sender (its server-allocated layers, whether its camera is on, its
 * receivers' forwarding state) and as a receiver (its payload types, bandwidth estimate and wanted quality). Created
 * for a member that asked for video at Identify, sent codecs, or sent op 15; a member without one receives video with
 * Discord's default payload types and no bandwidth limit.
 */
export class MemberVideo {
  /** Layers in Ready order; the first one's SSRCs are the ones receivers see (`video_ssrc`, `rtx_ssrc`). */
  public readonly layers: VideoLayer[];
  /** Media SSRC → layer. */
  public readonly bySsrc = new Map<number, VideoLayer>();
  public readonly rtxSsrcs = new Set<number>();
  /** Camera (or screen) on: op 12 with a video SSRC and at least one active stream. */
  public active = false;
  public codecs: CodecTable = defaultCodecTable();
  /** The video codec agreed in Session Description (the client's preferred one we forward). */
  public codec: VideoCodecName | null = null;
  /** The receiver's REMB estimate (bits/s); null: no limit known. */
  public estimate: number | null = null;
  public wants: SinkWants = { any: null, bySsrc: new Map() };
  /** The last op 12, as relayed (late joiners get it too). */
  public announcement: VideoAnnouncement | null = null;
  /** Forwarding state towards each receiver of this member's video, keyed by the receiver's media record. */
  public readonly forwards = new Map<object, VideoForward>();
  #rtcpTokens = RTCP_BURST;
  #rtcpAt = Number.NEGATIVE_INFINITY;

  public constructor(layers: readonly (RequestedStream & { ssrc: number; rtxSsrc: number })[] = []) {
    this.layers = layers.map((l, i) => new VideoLayer(i, l));
    for (const layer of this.layers) {
      this.bySsrc.set(layer.ssrc, layer);
      this.rtxSsrcs.add(layer.rtxSsrc);
    }
  }

  /** Every SSRC allocated to this member's video (media and RTX). */
  public ssrcs(): number[] {
    return this.layers.flatMap((l) => [l.ssrc, l.rtxSsrc]);
  }

  /**
   * Ready's `streams`: the layers as allocated, inactive until op 12 says otherwise. Every stream is reported as
   * `video`, even one asked for as `screen`, as Discord's voice servers do.
   */
  public readyStreams(): {
    type: 'video';
    rid: string;
    quality: number;
    ssrc: number;
    rtx_ssrc: number;
    active: false;
  }[] {
    return this.layers.map((l) => ({
      type: 'video' as const,
      rid: l.rid,
      quality: l.quality,
      ssrc: l.ssrc,
      rtx_ssrc: l.rtxSsrc,
      active: false,
    }));
  }

  /** The SSRC receivers see this member's video under (0: it has no video layer). */
  public get videoSsrc(): number {
    return this.layers[0]?.ssrc ?? 0;
  }

  /** Applies an op 12: which layers are on, their announced bitrates, and whether the camera is on at all. */
  public announce(announcement: VideoAnnouncement): void {
    this.announcement = announcement;
    const listed = new Map(announcement.streams.map((s) => [s.ssrc, s]));
    for (const layer of this.layers) {
      const stream = listed.get(layer.ssrc);
      // A bare op 12 (a video SSRC, no streams) is a single-stream client: its first layer is on.
      layer.active = stream ? stream.active : announcement.streams.length === 0 && layer.index === 0;
      layer.maxBitrate = stream?.max_bitrate ?? null;
    }
    this.active = announcement.video_ssrc !== 0 && this.layers.some((l) => l.active);
    // Off (or re-announced): receivers start again from a keyframe.
    if (!this.active) this.forwards.clear();
  }

  /** What a receiver wants of the sender whose video SSRC is `ssrc`: its per-SSRC wish, else `any`, else 100. */
  public wanted(ssrc: number): number {
    return this.wants.bySsrc.get(ssrc) ?? this.wants.any ?? 100;
  }

  /** Token bucket over this member's RTCP datagrams: false when it sends more than RTCP_PER_SECOND (bursts allowed). */
  public takeRtcpToken(now: number): boolean {
    const refill = ((now - this.#rtcpAt) * RTCP_PER_SECOND) / 1000;
    this.#rtcpTokens = Math.min(RTCP_BURST, this.#rtcpTokens + (Number.isFinite(refill) ? refill : RTCP_BURST));
    this.#rtcpAt = now;
    if (this.#rtcpTokens < 1) return false;
    this.#rtcpTokens--;
    return true;
  }
}
