// In-process video SFU harness for the video-sfu*.test.ts files: an Sfu on a hand-driven clock, members with real
// PacketCiphers on both sides, and a camera that sends synthetic VP8 simulcast frames (keyframe flag in the payload
// header, the layer index in the first payload byte after it so that a test sees which layer it was given).
import type { EncryptionMode } from '../src/crypto/modes.js';
import { generateSecretKey, type OpenedRtp, PacketCipher } from '../src/crypto/PacketCipher.js';
import { isRtcp } from '../src/rtcp/Rtcp.js';
import { buildRtpHeader, type RtpHeaderInit } from '../src/rtp/RtpHeader.js';
import { Sfu, type SfuMember } from '../src/server/Sfu.js';
import { type CodecEntry, codecTable } from '../src/video/codecs.js';
import { MemberVideo } from '../src/video/MemberVideo.js';
import { type Feedback, parseFeedback } from '../src/video/rtcpFeedback.js';
import type { RequestedStream, VideoAnnouncement } from '../src/video/videoPayloads.js';

export const THREE_LAYERS: RequestedStream[] = [
  { type: 'video', rid: '100', quality: 100 },
  { type: 'video', rid: '50', quality: 50 },
  { type: 'video', rid: '25', quality: 25 },
];

/** Bytes per packet and packets per frame of each layer: ~1.7 Mbit/s, ~480 kbit/s, ~100 kbit/s at 30 fps. */
export const LAYER_SHAPE = [
  { size: 1200, packets: 6 },
  { size: 1000, packets: 2 },
  { size: 400, packets: 1 },
];

export interface TestMember {
  media: SfuMember;
  port: number;
  /** Sends one plaintext RTP packet as this member's client would (sealed with its key). */
  sendRtp(init: RtpHeaderInit, payload: Buffer): void;
  /** Sends one plaintext RTCP compound, sealed. */
  sendRtcp(packet: Buffer): void;
  /** Everything the SFU sent this member since the last call, decrypted: RTP and RTCP feedback. */
  take(): { rtp: OpenedRtp[]; feedback: Feedback[] };
}

export function vp8Payload(layer: number, keyframe: boolean, start: boolean, size: number): Buffer {
  const out = Buffer.alloc(Math.max(3, size), 0x42);
  // Payload descriptor (RFC 7741): S bit on the first packet of the frame, PID 0, no extensions.
  out[0] = start ? 0x10 : 0x00;
  // VP8 payload header: P bit (0 = keyframe) in the first byte of the frame.
  out[1] = start ? (keyframe ? 0x00 : 0x01) : 0x77;
  out[2] = layer;
  return out;
}

export class Harness {
  public now = 1_000;
  public readonly sfu: Sfu;
  readonly #inbox = new Map<number, Buffer[]>();
  #nextSsrc = 1_000;
  #nextPort = 20_000;

  public constructor(public readonly mode: EncryptionMode = 'aead_aes256_gcm_rtpsize') {
    this.sfu = new Sfu(
      (packet, port) => {
        let box = this.#inbox.get(port);
        if (!box) {
          box = [];
          this.#inbox.set(port, box);
        }
        box.push(packet);
      },
      () => this.now,
    );
  }

  public member(
    userId: string,
    options: { layers?: RequestedStream[]; codecs?: CodecEntry[]; room?: string } = {},
  ): TestMember {
    const key = generateSecretKey();
    const ssrc = this.#nextSsrc++;
    const video = options.layers
      ? new MemberVideo(options.layers.map((l) => ({ ...l, ssrc: this.#nextSsrc++, rtxSsrc: this.#nextSsrc++ })))
      : null;
    const media: SfuMember = {
      userId,
      ssrc,
      room: options.room ?? 'room',
      mode: this.mode,
      cipher: new PacketCipher(this.mode, key),
      remote: null,
      muted: false,
      deafened: false,
      silenceRun: 0,
      video,
    };
    if (options.codecs) {
      const v = media.video ?? new MemberVideo();
      v.codecs = codecTable(options.codecs);
      media.video = v;
    }
    this.sfu.add(media);
    const port = this.#nextPort++;
    this.sfu.bindRemote(media, '10.0.0.1', port);
    const tx = new PacketCipher(this.mode, key, { initialCounter: 1 });
    const rx = new PacketCipher(this.mode, key);
    return {
      media,
      port,
      sendRtp: (init, payload) => this.sfu.handle(tx.seal(buildRtpHeader(init), payload), '10.0.0.1', port),
      sendRtcp: (packet) => this.sfu.handle(tx.sealRtcp(packet), '10.0.0.1', port),
      take: () => {
        const box = this.#inbox.get(port)?.splice(0) ?? [];
        const rtp: OpenedRtp[] = [];
        const feedback: Feedback[] = [];
        for (const datagram of box) {
          if (isRtcp(datagram)) feedback.push(...parseFeedback(rx.openRtcp(datagram)));
          else rtp.push(rx.open(datagram));
        }
        return { rtp, feedback };
      },
    };
  }

  /** Op 12 for a sender: every layer active (or those listed). */
  public announce(sender: TestMember, active: readonly number[] | null = null, videoOn = true): void {
    const layers = sender.media.video!.layers;
    const announcement: VideoAnnouncement = {
      audio_ssrc: sender.media.ssrc,
      video_ssrc: videoOn ? layers[0]!.ssrc : 0,
      rtx_ssrc: videoOn ? layers[0]!.rtxSsrc : 0,
      streams: layers.map((l) => ({
        type: 'video',
        rid: l.rid,
        ssrc: l.ssrc,
        rtx_ssrc: l.rtxSsrc,
        active: videoOn && (active === null || active.includes(l.index)),
        quality: l.quality,
      })),
    };
    this.sfu.video.announce(sender.media, announcement);
  }
}

/**
 * A simulcast camera: `frame()` sends one frame on each of the chosen layers (VP8 PT 103 unless told), advances the
 * clock by 33 ms, and returns nothing; layer i has its own sequence numbers and timestamps, as a real encoder's.
 */
export class Camera {
  readonly #seq: number[];
  readonly #ts: number[];

  public constructor(
    private readonly harness: Harness,
    private readonly sender: TestMember,
    private readonly payloadType = 103,
    private readonly extension: RtpHeaderInit['extension'] = undefined,
  ) {
    const n = sender.media.video!.layers.length;
    // Unrelated starting points per layer, as independent encoders would have.
    this.#seq = Array.from({ length: n }, (_, i) => 1000 * (i + 1) + 7 * i);
    this.#ts = Array.from({ length: n }, (_, i) => 100_000 * (i + 1));
  }

  public frame(keyframes: readonly number[] = [], layers: readonly number[] = [0, 1, 2]): void {
    for (const layer of layers) {
      const ssrc = this.sender.media.video!.layers[layer]!.ssrc;
      const shape = LAYER_SHAPE[layer] ?? LAYER_SHAPE[2]!;
      for (let p = 0; p < shape.packets; p++) {
        const payload = vp8Payload(layer, keyframes.includes(layer), p === 0, shape.size);
        this.sender.sendRtp(
          {
            sequence: this.#seq[layer]! & 0xffff,
            timestamp: this.#ts[layer]!,
            ssrc,
            payloadType: this.payloadType,
            marker: p === shape.packets - 1,
            ...(this.extension ? { extension: this.extension } : {}),
          },
          payload,
        );
        this.#seq[layer]!++;
      }
      this.#ts[layer]! += 3000;
    }
    this.harness.now += 33;
  }

  /** `count` frames with no keyframe (after an initial keyframe on `keyframes` if given). */
  public run(count: number, keyframes: readonly number[] = [], layers: readonly number[] = [0, 1, 2]): void {
    for (let i = 0; i < count; i++) this.frame(i === 0 ? keyframes : [], layers);
  }
}

/** The layer a forwarded packet came from (the harness writes it into the payload). */
export function layerOf(packet: OpenedRtp): number {
  return packet.payload[2]!;
}
