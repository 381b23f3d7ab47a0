import { Readable } from 'node:stream';
import { createJitterBuffer, type JitterBufferOptions } from '../jitter/createJitterBuffer.js';
import { createOpusConcealer } from '../jitter/opusConcealer.js';
import type { JitterBuffer, JitterStats } from '../jitter/types.js';
import { createOpusCodec, OPUS_CHANNELS, OPUS_FRAME_SAMPLES, type OpusCodec } from '../opus/opus.js';

export interface SubscribeOptions {
  /**
   * Reorder and pace the stream through an adaptive jitter buffer (default: on, with the buffer's defaults). false
   * yields one frame per packet as it arrives.
   */
  jitter?: JitterBufferOptions | false;
  /** Decode every frame to PCM with an opusscript decoder of this subscription's own (default false). */
  decode?: boolean;
}

/** One 20 ms frame of a subscribed stream, in playout order. */
export interface ReceivedFrame {
  /** `audio`: a received frame; `concealed`: a missing one (Opus PLC when decoding); `silence`: a pause began. */
  kind: 'audio' | 'concealed' | 'silence';
  ssrc: number;
  userId: string | null;
  /** RTP sequence number of an `audio` frame. */
  sequence?: number;
  /** The Opus packet of an `audio` frame. */
  payload?: Uint8Array;
  /** 48 kHz interleaved stereo PCM, when subscribed with `decode: true`. */
  pcm?: Int16Array;
  durationMs: number;
}

/** What a subscription matches: a user ID, or an SSRC (e.g. before the server announced whose it is). */
export type SubscriptionTarget = string | number;

interface PacketLike {
  ssrc: number;
  userId: string | null;
  sequence: number;
  timestamp: number;
  opus: Uint8Array;
}

/** The receive side of one `subscribe(target, options)` call: a buffer, maybe a decoder, and the stream it feeds. */
export class ReceiveSubscription {
  public readonly stream = new Readable({ objectMode: true, read() {} });
  private readonly buffer: JitterBuffer | null;
  private codec: OpusCodec | null = null;
  private source: { ssrc: number; userId: string | null } | null = null;
  // A silent user would otherwise emit 50 `silence` objects per second forever into a stream nobody may be reading.
  private silent = true;
  private ended = false;

  public constructor(
    public readonly target: SubscriptionTarget,
    options: SubscribeOptions,
  ) {
    // opusscript allows about 20 codecs per process: only allocate one when asked to decode.
    if (options.decode) this.codec = createOpusCodec();
    const jitter = options.jitter ?? {};
    if (jitter === false) {
      this.buffer = null;
    } else {
      const codec = this.codec;
      const conceal = codec
        ? createOpusConcealer({ decode: (packet) => codec.decode(toBuffer(packet)) }, { channels: OPUS_CHANNELS })
        : undefined;
      this.buffer = createJitterBuffer(conceal ? { ...jitter, conceal } : jitter);
    }
  }

  /** Whether a playout clock must pull this subscription. */
  public get clocked(): boolean {
    return this.buffer !== null;
  }

  public matches(packet: { ssrc: number; userId: string | null }): boolean {
    return typeof this.target === 'number' ? packet.ssrc === this.target : packet.userId === this.target;
  }

  public stats(): JitterStats | null {
    return this.buffer?.stats() ?? null;
  }

  public push(packet: PacketLike, arrivalMs: number): void {
    if (this.ended) return;
    this.source = { ssrc: packet.ssrc, userId: packet.userId };
    if (!this.buffer) {
      this.emitFrame({ kind: 'audio', sequence: packet.sequence, payload: packet.opus, durationMs: 20 });
      return;
    }
    this.buffer.push({ sequence: packet.sequence, timestamp: packet.timestamp, payload: packet.opus, arrivalMs });
  }

  /** One tick of the playout clock. */
  public pull(nowMs: number): void {
    if (this.ended || !this.buffer) return;
    const out = this.buffer.pull(nowMs);
    switch (out.kind) {
      case 'audio':
        this.emitFrame({ kind: 'audio', sequence: out.sequence, payload: out.payload, durationMs: out.durationMs });
        break;
      case 'concealed':
        // With a decoder, the concealer ran libopus PLC and returned PCM; without, there is nothing to carry.
        this.emitFrame({ kind: 'concealed', durationMs: out.durationMs }, out.payload);
        break;
      case 'silence':
        if (!this.silent) this.emitFrame({ kind: 'silence', durationMs: out.durationMs });
        break;
      case 'empty':
        break;
    }
  }

  /** Ends the stream and frees the decoder; safe to call more than once. */
  public end(): void {
    if (this.ended) return;
    this.ended = true;
    this.codec?.delete();
    this.codec = null;
    this.stream.push(null);
  }

  private emitFrame(
    frame: Omit<ReceivedFrame, 'ssrc' | 'userId' | 'pcm'>,
    concealment?: Uint8Array | Int16Array,
  ): void {
    const source = this.source ?? {
      ssrc: typeof this.target === 'number' ? this.target : 0,
      userId: typeof this.target === 'string' ? this.target : null,
    };
    const out: ReceivedFrame = { ...frame, ssrc: source.ssrc, userId: source.userId };
    if (this.codec) out.pcm = this.toPcm(frame, concealment);
    this.silent = frame.kind === 'silence';
    this.stream.push(out);
  }

  private toPcm(frame: Omit<ReceivedFrame, 'ssrc' | 'userId' | 'pcm'>, concealment?: Uint8Array | Int16Array) {
    const codec = this.codec!;
    if (frame.kind === 'audio' && frame.payload) {
      try {
        return toInt16(codec.decode(toBuffer(frame.payload)));
      } catch {
        // A corrupt packet decodes as a lost one.
        return toInt16(codec.decode(Buffer.alloc(0))).subarray(0, OPUS_FRAME_SAMPLES * OPUS_CHANNELS);
      }
    }
    if (concealment instanceof Int16Array) return concealment;
    return new Int16Array(Math.round(frame.durationMs * 48 * OPUS_CHANNELS));
  }
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Copies s16le bytes into an Int16Array (a copy: the source may be unaligned). */
function toInt16(bytes: Buffer): Int16Array {
  const out = new Int16Array(bytes.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(i * 2);
  return out;
}
