import OpusScript from 'opusscript';
import { PacketError } from '../errors.js';
import { OPUS_CHANNELS, OPUS_FRAME_SAMPLES, OPUS_SAMPLE_RATE } from '../opus/opus.js';
import { buildRtpHeader } from '../rtp/RtpHeader.js';
import type { Sfu, SfuMember, UdpSend } from '../server/Sfu.js';
import { softClip } from './softClip.js';

/**
 * SSRC of the mixed stream. The server draws member SSRCs from [1, 2³²−1), so this one never collides; clients see
 * a stream whose SSRC no Speaking event maps to a user.
 */
export const MIXER_SSRC = 0xffffffff;
/** Frames kept per speaker between ticks: more means the speaker's clock runs ahead of ours, and the oldest go. */
const MAX_QUEUED = 5;
/** Ticks (20 ms) without a frame after which a speaker's decoder is freed for others: 10 s of silence. */
const IDLE_TICKS = 500;

export interface MixerOptions {
  /**
   * Speakers decoded at once (default 12). Each costs an opusscript decoder, and opusscript holds about 20 codec
   * instances per process (README › Limits); a speaker past the cap is left out of the mix (counted in `dropped`)
   * until a decoder is freed by a speaker who left or stayed silent for 10 s.
   */
  maxSpeakers?: number;
}

export const defaultMixerOptions = { maxSpeakers: 12 } as const satisfies MixerOptions;
const SAMPLES = OPUS_FRAME_SAMPLES * OPUS_CHANNELS;

interface SpeakerState {
  decoder: OpusScript;
  queue: Int16Array[];
  /** Ticks since the last frame arrived. */
  idle: number;
}

interface ListenerState {
  encoder: OpusScript;
  sequence: number;
  timestamp: number;
}

export interface MixerStats {
  /** Opus frames decoded (once per speaker frame, whatever the number of mixed listeners). */
  decoded: number;
  /** Mixed frames encoded and sent. */
  mixed: number;
  /** Frames that could not be decoded, or were dropped from a full queue. */
  dropped: number;
  /** Codec failures (creating or encoding); see the README's limits on opusscript instances per process. */
  codecErrors: number;
}

/**
 * The optional server-side mixer: for members flagged `mixed`, the SFU stops forwarding individual streams and hands
 * each speaker's Opus here instead. Each speaker is decoded once; every `tick` (20 ms) each mixed listener gets one
 * Opus frame: the sum of the speakers it can hear, with positional gain and pan in positional rooms (unity otherwise),
 * through a soft-knee limiter, encoded with that listener's own encoder and sent with SSRC MIXER_SSRC.
 */
export class Mixer {
  public readonly stats: MixerStats = { decoded: 0, mixed: 0, dropped: 0, codecErrors: 0 };
  private readonly speakers = new Map<SfuMember, SpeakerState>();
  private readonly listeners = new Map<SfuMember, ListenerState>();
  private readonly acc = new Float32Array(SAMPLES);
  private readonly pcm = Buffer.alloc(SAMPLES * 2);
  // s16le output through a typed view: every platform Node runs on is little-endian.
  private readonly pcm16 = new Int16Array(this.pcm.buffer, this.pcm.byteOffset, SAMPLES);

  private readonly maxSpeakers: number;

  public constructor(
    private readonly sfu: Sfu,
    private readonly send: UdpSend,
    options: MixerOptions = {},
  ) {
    this.maxSpeakers = options.maxSpeakers ?? defaultMixerOptions.maxSpeakers;
    sfu.onMixedAudio = (sender, payload) => this.ingest(sender, payload);
  }

  /** Decodes one frame of a speaker heard by at least one mixed listener (the SFU calls this). */
  public ingest(sender: SfuMember, payload: Uint8Array): void {
    let state = this.speakers.get(sender);
    if (!state) {
      if (this.speakers.size >= this.maxSpeakers) {
        this.stats.dropped++;
        return;
      }
      try {
        state = { decoder: new OpusScript(OPUS_SAMPLE_RATE, OPUS_CHANNELS), queue: [], idle: 0 };
      } catch {
        this.stats.codecErrors++;
        return;
      }
      this.speakers.set(sender, state);
    }
    let frame: Int16Array;
    try {
      const pcm = state.decoder.decode(Buffer.from(payload));
      frame = new Int16Array(SAMPLES);
      frame.set(new Int16Array(pcm.buffer, pcm.byteOffset, Math.min(SAMPLES, pcm.length >> 1)));
    } catch {
      this.stats.dropped++;
      return;
    }
    this.stats.decoded++;
    state.idle = 0;
    if (state.queue.length >= MAX_QUEUED) {
      state.queue.shift();
      this.stats.dropped++;
    }
    state.queue.push(frame);
  }

  /** Mixes and sends one 20 ms frame to every mixed listener; the server calls it on a 20 ms timer. */
  public tick(): void {
    const frames = new Map<SfuMember, Int16Array>();
    for (const [speaker, state] of this.speakers) {
      if (!this.sfu.hasMember(speaker) || ++state.idle > IDLE_TICKS) {
        state.decoder.delete();
        this.speakers.delete(speaker);
        continue;
      }
      const frame = state.queue.shift();
      if (frame) frames.set(speaker, frame);
    }
    for (const [listener, state] of this.listeners) {
      if (!this.sfu.hasMember(listener) || !listener.mixed) {
        state.encoder.delete();
        this.listeners.delete(listener);
      }
    }
    if (frames.size === 0) return;
    const rooms = new Set<string>();
    for (const speaker of frames.keys()) rooms.add(speaker.room);
    for (const room of rooms) {
      for (const listener of this.sfu.members(room)) {
        if (listener.mixed && !listener.deafened && listener.cipher && listener.remote) this.mixFor(listener, frames);
      }
    }
  }

  private mixFor(listener: SfuMember, frames: ReadonlyMap<SfuMember, Int16Array>): void {
    const acc = this.acc;
    acc.fill(0);
    let heard = 0;
    const positional = this.sfu.positionalOptions(listener.room) !== null;
    for (const [speaker, frame] of frames) {
      if (speaker === listener || speaker.room !== listener.room) continue;
      const hearing = this.sfu.hearing(speaker, listener);
      if (!hearing) continue;
      heard++;
      if (positional) {
        // A voice is a point source: fold it to mono, then place it with the equal-power gains.
        const { left, right } = hearing;
        for (let i = 0; i < SAMPLES; i += 2) {
          const mono = (frame[i]! + frame[i + 1]!) / 65_536;
          acc[i]! += mono * left;
          acc[i + 1]! += mono * right;
        }
      } else {
        for (let i = 0; i < SAMPLES; i++) acc[i]! += frame[i]! / 32_768;
      }
    }
    if (heard === 0) return;
    const pcm = this.pcm;
    const pcm16 = this.pcm16;
    for (let i = 0; i < SAMPLES; i++) pcm16[i] = Math.round(softClip(acc[i]!) * 32_767);
    let state = this.listeners.get(listener);
    let opus: Buffer;
    try {
      if (!state) {
        state = {
          encoder: new OpusScript(OPUS_SAMPLE_RATE, OPUS_CHANNELS, OpusScript.Application.AUDIO),
          sequence: 0,
          timestamp: 0,
        };
        this.listeners.set(listener, state);
      }
      opus = state.encoder.encode(pcm, OPUS_FRAME_SAMPLES);
    } catch {
      // A codec failure must not stop the tick for the other listeners.
      this.stats.codecErrors++;
      return;
    }
    const header = buildRtpHeader({ sequence: state.sequence, timestamp: state.timestamp, ssrc: MIXER_SSRC });
    state.sequence = (state.sequence + 1) & 0xffff;
    state.timestamp = (state.timestamp + OPUS_FRAME_SAMPLES) >>> 0;
    const remote = listener.remote!;
    let packet: Buffer;
    try {
      packet = listener.cipher!.seal(header, opus);
    } catch (error) {
      // The listener's nonce counter ran out: tell the SFU's owner (the server ends that session so that it re-keys);
      // the other listeners still get their frame.
      this.stats.dropped++;
      if (error instanceof PacketError && error.code === 'NONCE_EXHAUSTED') this.sfu.onCipherExhausted?.(listener);
      return;
    }
    this.stats.mixed++;
    this.send(packet, remote.port, remote.address);
  }

  /** Frees every codec (the server calls it on close). */
  public destroy(): void {
    for (const s of this.speakers.values()) s.decoder.delete();
    for (const l of this.listeners.values()) l.encoder.delete();
    this.speakers.clear();
    this.listeners.clear();
    if (this.sfu.onMixedAudio) this.sfu.onMixedAudio = null;
  }
}
