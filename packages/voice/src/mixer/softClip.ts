/** Where the limiter's knee starts: below it samples pass unchanged. */
export const SOFT_CLIP_KNEE = 0.75;

/**
 * A smooth-knee limiter for mixed samples (full scale = 1): identity below the knee, then a tanh curve that meets it
 * with the same slope and approaches ±1 without reaching it. Summing voices overshoots full scale now and then; a hard
 * clip turns that into audible square-wave buzz, this bends it instead. Odd, monotonic, |output| < 1.
 */
export function softClip(x: number): number {
  if (Number.isNaN(x)) return 0;
  const a = Math.abs(x);
  if (a <= SOFT_CLIP_KNEE) return x;
  const room = 1 - SOFT_CLIP_KNEE;
  const y = SOFT_CLIP_KNEE + room * Math.tanh((a - SOFT_CLIP_KNEE) / room);
  return x < 0 ? -y : y;
}
