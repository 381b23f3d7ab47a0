import { randomInt } from 'node:crypto';
import type { EventEmitter } from 'eventemitter3';
import { createOpusCodec, OPUS_FRAME_SAMPLES, type OpusCodec } from '../opus/opus.js';
import { isRtcp, parseRtcp, RtcpType } from '../rtcp/Rtcp.js';
import { buildRtpHeader } from '../rtp/RtpHeader.js';
import {
  OpusBitrateController,
  type OpusBitrateControllerOptions,
  type OpusEncoderSettings,
} from './OpusBitrateController.js';
import { RtcpFeedback } from './RtcpFeedback.js';
import type { VideoSession } from './VideoSession.js';
import type { VoiceClientEvents } from './VoiceClientEvents.js';
import { defaultVoiceClientOptions } from './VoiceClientOptions.js';
import type { VoiceClientMediaState } from './VoiceClientState.js';

export interface MediaPathOptions {
  adaptBitrate?: boolean | OpusBitrateControllerOptions;
  rtcpInterval?: number;
}

/**
 * A client's media, both ways, over whichever session is current (the caller passes the `ready` or `resuming` state
 * it read once per packet): RTP sealing with counters that run on across servers, the encoder and its adaptation to
 * receiver reports, and the receive side (RTP → `packet` events, RTCP → `receiverReport` / `encoderSettings`).
 */
export class MediaPath {
  public readonly feedback: RtcpFeedback;
  /** Where video RTP and RTCP feedback go (set by the client when video is negotiated). */
  public video: VideoSession | null = null;
  private readonly client: EventEmitter<VoiceClientEvents>;
  /** SSRC → user as the server announced them (owned by the client's signalling). */
  private readonly users: ReadonlyMap<number, string>;
  private readonly controller: OpusBitrateController | null;
  /** The encoder `encode` uses, created on first use. */
  private codec: OpusCodec | null = null;
  private sequence = randomInt(0, 0x10000);
  private timestamp = randomInt(0, 0x100000000);

  public constructor(
    client: EventEmitter<VoiceClientEvents>,
    users: ReadonlyMap<number, string>,
    options: MediaPathOptions,
  ) {
    this.client = client;
    this.users = users;
    const adapt = options.adaptBitrate ?? defaultVoiceClientOptions.adaptBitrate;
    this.controller = adapt === false ? null : new OpusBitrateController(adapt === true ? {} : adapt);
    // A listener's report counts for three report intervals (three default ones when we do not report).
    this.feedback = new RtcpFeedback(
      this.controller,
      3 * (options.rtcpInterval || defaultVoiceClientOptions.rtcpInterval),
    );
  }

  /** The encoder settings `encode` uses now (null when adaptation is off). */
  public get encoderSettings(): Readonly<OpusEncoderSettings> | null {
    return this.controller?.settings ?? null;
  }

  /** Seals one Opus frame (20 ms) as our next RTP packet and sends it. */
  public send(state: VoiceClientMediaState, frame: Uint8Array): void {
    const header = buildRtpHeader({ sequence: this.sequence, timestamp: this.timestamp, ssrc: state.ssrc });
    this.sequence = (this.sequence + 1) & 0xffff;
    this.timestamp = (this.timestamp + OPUS_FRAME_SAMPLES) >>> 0;
    state.udp.send(state.media.seal(header, frame));
  }

  /** Encodes one 20 ms frame of 48 kHz stereo s16le PCM with the (adapted) encoder. */
  public encode(pcm: Buffer): Buffer {
    if (!this.codec) {
      this.codec = createOpusCodec();
      if (this.controller) this.codec.configure(this.controller.settings);
    }
    return this.codec.encode(pcm);
  }

  /** Seals and sends a receiver report about the streams received, if there are any. */
  public sendReport(state: VoiceClientMediaState): void {
    const report = this.feedback.buildReport(state.ssrc);
    if (report) state.udp.send(state.media.sealRtcp(report));
  }

  /** One datagram from the server (the per-packet path); false when it was unusable (bad MAC, replay, garbage). */
  public receive(state: VoiceClientMediaState, msg: Buffer): boolean {
    if (msg.length <= 8) return true;
    if (isRtcp(msg)) return this.receiveRtcp(state, msg);
    try {
      const opened = state.media.open(msg, msg.readUInt32BE(8), this.users);
      if (!opened) return false;
      if (this.video?.handles(opened.payloadType)) {
        this.video.receive(opened);
        return true;
      }
      this.feedback.received(opened.ssrc, opened.sequence, opened.timestamp, performance.now());
      this.client.emit('packet', {
        ssrc: opened.ssrc,
        userId: this.users.get(opened.ssrc) ?? null,
        sequence: opened.sequence,
        timestamp: opened.timestamp,
        opus: opened.payload,
      });
      return true;
    } catch {
      // A throwing `packet` listener lands here too: counted, never thrown into the socket.
      return false;
    }
  }

  /** Frees the encoder (a later `encode` makes a new one). */
  public dispose(): void {
    this.codec?.delete();
    this.codec = null;
  }

  private receiveRtcp(state: VoiceClientMediaState, msg: Buffer): boolean {
    let packets: ReturnType<typeof parseRtcp>;
    let plain: Buffer;
    try {
      plain = state.media.openRtcp(msg);
      packets = parseRtcp(plain);
      // Video feedback (NACK, PLI, FIR); a throwing `keyframeRequested` listener is counted, never thrown here.
      this.video?.onRtcp(plain);
    } catch {
      return false;
    }
    const now = performance.now();
    for (const packet of packets) {
      if (packet.type !== RtcpType.ReceiverReport || !('blocks' in packet)) continue;
      for (const block of packet.blocks) {
        if (block.ssrc !== state.ssrc) continue;
        this.feedback.noteReport(packet.ssrc, block, now);
        const userId = this.users.get(packet.ssrc) ?? null;
        this.client.emit('receiverReport', { reporterSsrc: packet.ssrc, userId, block });
        const settings = this.feedback.adapt(now);
        if (settings) {
          this.codec?.configure(settings);
          this.client.emit('encoderSettings', settings);
        }
      }
    }
    return true;
  }
}
