import { randomInt } from 'node:crypto';
import { buildRtpHeader } from '../rtp/RtpHeader.js';
import { H264Payloader } from '../video/rtp/h264.js';
import { wrapRtx } from '../video/rtp/rtx.js';
import type { VideoCodecName, VideoPayloadTypes } from '../video/rtp/videoCodecs.js';
import { Vp8Payloader } from '../video/rtp/vp8.js';
import type { AllocatedLayer } from './videoPayloads.js';

/** Packets kept per layer for retransmission (a power of two: the ring is indexed by the low sequence bits). */
const HISTORY = 512;

/** One plaintext RTP packet ready to be sealed. */
export interface OutgoingRtp {
  header: Buffer;
  payload: Buffer;
}

interface Sent {
  sequence: number;
  timestamp: number;
  marker: boolean;
  payload: Buffer;
}

/**
 * The send side of one simulcast layer: packetizes encoded frames on the layer's SSRC (sequence numbers and a random
 * timestamp base of its own, as every RTP stream has), keeps the last HISTORY packets, and answers NACKs with RTX
 * packets on the layer's RTX SSRC (RFC 4588, a sequence counter of its own).
 */
export class VideoSender {
  public readonly allocated: AllocatedLayer;
  private readonly payloadTypes: VideoPayloadTypes;
  private readonly packetizer: { packetize(frame: Uint8Array, maxPayload: number): Buffer[] };
  private readonly history: (Sent | undefined)[] = new Array(HISTORY);
  private sequence = randomInt(0, 0x10000);
  private rtxSequence = randomInt(0, 0x10000);
  private readonly timestampBase = randomInt(0, 0x100000000);

  public constructor(allocated: AllocatedLayer, codec: VideoCodecName, payloadTypes: VideoPayloadTypes) {
    this.allocated = allocated;
    this.payloadTypes = payloadTypes;
    if (codec === 'VP8') this.packetizer = new Vp8Payloader(randomInt(0, 0x8000));
    else if (codec === 'H264') this.packetizer = new H264Payloader();
    else throw new RangeError(`sending ${codec} is not supported (VP8, H264)`);
  }

  /** The packets of one frame; `timestamp` is the frame's capture time in 90 kHz units (the same on every layer). */
  public packetize(frame: Uint8Array, timestamp: number, maxPayload: number): OutgoingRtp[] {
    const payloads = this.packetizer.packetize(frame, maxPayload);
    const rtpTimestamp = (this.timestampBase + timestamp) >>> 0;
    return payloads.map((payload, i) => {
      const marker = i === payloads.length - 1;
      const sequence = this.sequence;
      this.sequence = (this.sequence + 1) & 0xffff;
      this.history[sequence % HISTORY] = { sequence, timestamp: rtpTimestamp, marker, payload };
      const header = buildRtpHeader({
        sequence,
        timestamp: rtpTimestamp,
        ssrc: this.allocated.ssrc,
        payloadType: this.payloadTypes.payloadType,
        marker,
      });
      return { header, payload };
    });
  }

  /** RTX packets for the NACKed sequence numbers still in the history (others are silently unavailable). */
  public retransmit(sequences: readonly number[]): OutgoingRtp[] {
    if (this.allocated.rtxSsrc === 0) return [];
    const out: OutgoingRtp[] = [];
    for (const seq of sequences) {
      const sent = this.history[(seq & 0xffff) % HISTORY];
      if (!sent || sent.sequence !== (seq & 0xffff)) continue;
      const header = buildRtpHeader({
        sequence: this.rtxSequence,
        timestamp: sent.timestamp,
        ssrc: this.allocated.rtxSsrc,
        payloadType: this.payloadTypes.rtxPayloadType,
        marker: sent.marker,
      });
      this.rtxSequence = (this.rtxSequence + 1) & 0xffff;
      out.push({ header, payload: wrapRtx(sent.sequence, sent.payload) });
    }
    return out;
  }
}
