import { SPEECH_SAMPLE_RATE } from './Speech.js';

export interface SegmenterOptions {
  /** RMS of a frame (full scale = 1) at or above which it is speech; default 0.01 (−40 dBFS). */
  threshold?: number;
  /** Silence that ends an utterance, ms (default 500). */
  silenceMs?: number;
  /** Longest utterance, ms (default 15 000; 100–60 000): a longer one is cut there and a new one starts. */
  maxMs?: number;
  /** Shorter voiced runs are dropped (clicks, a cough), ms (default 200). */
  minMs?: number;
}

export const defaultSegmenterOptions = {
  threshold: 0.01,
  silenceMs: 500,
  maxMs: 15_000,
  minMs: 200,
} as const satisfies Required<SegmenterOptions>;

/** A cut utterance: mono samples and when it started / ended (ms, on the clock of `push`'s `at`). */
export interface Segment {
  pcm: Int16Array;
  from: number;
  to: number;
}

const MAX_UTTERANCE_MS = 60_000;

/**
 * An energy voice activity detector for one speaker: frames (mono s16, 48 kHz) go in with their arrival time, an
 * utterance comes out when `silenceMs` of silence followed speech, when it reached `maxMs`, or on `flush` (the speaker
 * stopped sending: clients send no packets in a pause). Memory is one buffer of `maxMs` samples, allocated at the
 * first voiced frame; an utterance never holds more samples than were pushed since it started.
 */
export class Segmenter {
  readonly #threshold: number;
  readonly #silenceSamples: number;
  readonly #maxSamples: number;
  readonly #minSamples: number;
  #buffer: Int16Array | null = null;
  #length = 0;
  /** Samples up to the end of the last voiced frame. */
  #voicedEnd = 0;
  #silent = 0;
  #from = 0;
  #active = false;

  constructor(options: SegmenterOptions = {}) {
    const o = { ...defaultSegmenterOptions, ...options };
    if (!(o.maxMs >= 100 && o.maxMs <= MAX_UTTERANCE_MS)) throw new RangeError('maxMs must be 100–60000');
    if (!(o.silenceMs >= 20 && o.minMs >= 0 && o.threshold >= 0)) throw new RangeError('bad segmenter options');
    this.#threshold = o.threshold;
    const perMs = SPEECH_SAMPLE_RATE / 1000;
    this.#silenceSamples = Math.round(o.silenceMs * perMs);
    this.#maxSamples = Math.round(o.maxMs * perMs);
    this.#minSamples = Math.round(o.minMs * perMs);
  }

  /** Whether an utterance is open (speech seen, not yet ended). */
  get active(): boolean {
    return this.#active;
  }

  /** One frame of mono samples that arrived at `at` (ms). Returns the utterance it ended, if any. */
  push(frame: Int16Array, at: number): Segment | null {
    const samples = frame.subarray(0, this.#maxSamples);
    if (samples.length === 0) return null;
    const voiced = rms(samples) >= this.#threshold;
    let out: Segment | null = null;
    if (this.#active && this.#length + samples.length > this.#maxSamples) out = this.#end();
    if (!this.#active) {
      if (!voiced) return out;
      this.#active = true;
      this.#length = 0;
      this.#voicedEnd = 0;
      this.#silent = 0;
      this.#from = at;
    }
    this.#buffer ??= new Int16Array(this.#maxSamples);
    this.#buffer.set(samples, this.#length);
    this.#length += samples.length;
    if (voiced) {
      this.#voicedEnd = this.#length;
      this.#silent = 0;
    } else {
      this.#silent += samples.length;
      // A cut by length above and one by silence here cannot both happen: an unvoiced frame after a cut is not kept.
      if (this.#silent >= this.#silenceSamples) return this.#end();
    }
    return out;
  }

  /** Ends the open utterance (the speaker went quiet or left). */
  flush(): Segment | null {
    return this.#active ? this.#end() : null;
  }

  /** Frees the buffer (a speaker idle for long); the next voiced frame allocates it again. */
  release(): void {
    this.#active = false;
    this.#buffer = null;
  }

  #end(): Segment | null {
    this.#active = false;
    const voiced = this.#voicedEnd;
    if (voiced < this.#minSamples || voiced === 0 || !this.#buffer) return null;
    const from = this.#from;
    return { pcm: this.#buffer.slice(0, voiced), from, to: from + (voiced * 1000) / SPEECH_SAMPLE_RATE };
  }
}

/** Root mean square of s16 samples, full scale = 1. */
export function rms(samples: Int16Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]! / 32_768;
    sum += v * v;
  }
  return Math.sqrt(sum / samples.length);
}
