import { describe, expect, it } from 'vitest';
import { createDelayPeakDetector } from '../src/jitter/DelayPeakDetector.js';
import { createPrng } from '../src/jitter/index.js';

const FRAME_MS = 20;
const BASELINE = 5;

/** Feeds one packet per frame over [fromMs, toMs) with delay `delayAt(mediaMs)`; returns the next media time. */
function feed(
  d: ReturnType<typeof createDelayPeakDetector>,
  fromMs: number,
  toMs: number,
  delayAt: (mediaMs: number) => number,
): number {
  let t = fromMs;
  for (; t < toMs; t += FRAME_MS) d.update(t, delayAt(t), BASELINE);
  return t;
}

/** 150 ms spikes, 200 ms wide, decaying linearly, starting every 5 s from 2.5 s (the Wi-Fi pattern). */
const spikes = (mediaMs: number): number => {
  const phase = (mediaMs - 2500) % 5000;
  return BASELINE + (phase >= 0 && phase < 200 ? 150 * (1 - phase / 200) : 0);
};

describe('DelayPeakDetector', () => {
  it('calls peaks periodic after four regular peaks, and predicts the next one with its height', () => {
    const d = createDelayPeakDetector();
    // Three peaks (2.5, 7.5, 12.5 s) give two intervals: not enough yet.
    let t = feed(d, 0, 16_000, spikes);
    expect(d.periodic).toBe(false);
    expect(d.expected(17_500, 40, 200)).toBeNull();
    // The fourth peak (17.5 s) is closed once a second without peak samples has passed.
    t = feed(d, t, 19_000, spikes);
    expect(d.periodic).toBe(true);
    expect(d.periodMs).toBeCloseTo(5000, -1);
    expect(d.heightMs).toBeGreaterThanOrEqual(150);
    // Next peak at 22.5 s: predicted from 40 ms before it until its width plus tail after it; not in between peaks.
    expect(d.expected(22_470, 40, 200)).toBeGreaterThanOrEqual(150);
    expect(d.expected(22_600, 40, 200)).toBeGreaterThanOrEqual(150);
    expect(d.expected(20_500, 40, 200)).toBeNull();
    expect(d.expected(22_400, 40, 200)).toBeNull();
  });

  it('forgets the pattern once the peaks stop', () => {
    const d = createDelayPeakDetector();
    let t = feed(d, 0, 19_000, spikes);
    expect(d.periodic).toBe(true);
    // Peaks stop: one missed peak is tolerated, two periods without one are not.
    t = feed(d, t, 24_000, () => BASELINE);
    expect(d.periodic).toBe(true);
    feed(d, t, 28_000, () => BASELINE);
    expect(d.periodic).toBe(false);
    expect(d.expected(32_500, 40, 200)).toBeNull();
  });

  it('is not triggered by steady jitter, even heavy-tailed', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const rng = createPrng(seed);
      const d = createDelayPeakDetector();
      let everPeriodic = false;
      for (let t = 0; t < 120_000; t += FRAME_MS) {
        // Pareto (scale 20, shape 3) as in the steady-high scenario: isolated delays far above the baseline.
        const jitter = 20 * ((1 - rng.next()) ** (-1 / 3) - 1);
        d.update(t, BASELINE + jitter, BASELINE);
        everPeriodic ||= d.periodic;
      }
      expect(everPeriodic).toBe(false);
    }
  });
});
