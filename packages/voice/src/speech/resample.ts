import { SPEECH_SAMPLE_RATE } from './Speech.js';

/**
 * Mono s16 samples at `rate` → 48 kHz interleaved stereo, by linear interpolation. Good enough for speech going into
 * Opus (whose encoder low-passes anyway); not a general-purpose resampler.
 */
export function toStereo48k(mono: Int16Array, rate: number): Int16Array {
  if (!(rate > 0)) throw new RangeError('bad sample rate');
  const frames = Math.floor((mono.length * SPEECH_SAMPLE_RATE) / rate);
  const out = new Int16Array(frames * 2);
  const step = rate / SPEECH_SAMPLE_RATE;
  for (let i = 0; i < frames; i++) {
    const pos = i * step;
    const j = Math.floor(pos);
    const a = mono[j] ?? 0;
    const b = mono[j + 1] ?? a;
    const v = Math.round(a + (b - a) * (pos - j));
    out[2 * i] = v;
    out[2 * i + 1] = v;
  }
  return out;
}
