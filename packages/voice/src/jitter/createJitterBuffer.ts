import { createDelayHistogram } from './DelayHistogram.js';
import { createDelayPeakDetector } from './DelayPeakDetector.js';
import { createMinWindow } from './MinWindow.js';
import { createPlayoutEngine, type DelayPolicy } from './playoutEngine.js';
import type { JitterBuffer, JitterBufferCommonOptions } from './types.js';

export interface JitterBufferOptions extends JitterBufferCommonOptions {
  /** Lower bound of the target delay in ms; 20 (one frame: a frame is played as soon as it arrives). */
  minDelayMs?: number;
  /** Upper bound of the target delay in ms; 500. */
  maxDelayMs?: number;
  /** Target delay before enough packets have been seen; 60 ms. */
  initialDelayMs?: number;
  /** Fraction of packets that must arrive in time; 0.99. The rest is the accepted late-loss budget. */
  quantile?: number;
  /** Per-packet forgetting factor of the delay histogram; 0.998 (memory of ~500 packets ≈ 10 s of 20 ms frames). */
  forgetFactor?: number;
  /** Window over which the fastest packet defines the origin of the delay histogram; 10 000 ms. */
  referenceWindowMs?: number;
  /** Histogram resolution; 2 ms. */
  bucketMs?: number;
  /** See EngineOptions: how long the buffer may sit a frame above target before dropping audio; 1000 ms. */
  shrinkPatienceMs?: number;
}

/** Media time after a predicted peak's measured end during which its tail (below the detection threshold) still comes. */
const PEAK_TAIL_MS = 200;

/**
 * Adaptive jitter buffer (NetEQ-style delay estimation on encoded frames).
 *
 * Each packet's transit time (arrival − media time) goes, relative to the fastest packet of the last ten seconds, into
 * a histogram with exponential forgetting (late packets included: they carry the news that the delay grew). When
 * that origin moves (a route change), the histogram moves with it, so what it holds stays comparable with new packets.
 * The target delay is the histogram's `quantile` plus one frame (the frame being played), clamped to
 * [minDelayMs, maxDelayMs]. The playout point follows the target in whole frames: it grows by
 * inserting a concealed frame (silence between talk spurts), and shrinks by dropping a silence/DTX frame or an empty
 * slot between talk spurts, or an audio frame after `shrinkPatienceMs` with no better opportunity.
 * Periodic delay peaks (see DelayPeakDetector) are kept out of the histogram once they are predictable: the target
 * then rises to the peak's height only around each predicted peak, and the extra delay is dropped right after it.
 */
export function createJitterBuffer(opts: JitterBufferOptions = {}): JitterBuffer {
  const minDelay = opts.minDelayMs ?? 20;
  const maxDelay = Math.max(minDelay, opts.maxDelayMs ?? 500);
  const initial = opts.initialDelayMs ?? 60;
  const quantile = opts.quantile ?? 0.99;
  const bucketMs = opts.bucketMs ?? 2;
  const histogram = createDelayHistogram({
    bucketMs,
    maxMs: maxDelay,
    forgetFactor: opts.forgetFactor ?? 0.998,
  });
  const window = createMinWindow(opts.referenceWindowMs ?? 10_000);
  let origin: number | null = null;
  const warmup = 10;

  const peaks = createDelayPeakDetector();
  // Media time of the next frame to play, as of the last pull: what the reported target refers to.
  let playMedia: number | null = null;

  const baseTarget = (frameMs: number): number => {
    const q = histogram.count >= warmup ? histogram.quantile(quantile) : null;
    const t = q === null ? initial : q + frameMs;
    return Math.min(maxDelay, Math.max(minDelay, t));
  };

  // Around a predicted periodic peak the target rises to the peak's height: it starts two frames before the peak's
  // first frame is due (growing by concealment happens while those frames wait), and lasts as long as the last peaks
  // did plus as long again for their tail (the part of a peak that decays below the detection threshold).
  const target = (frameMs: number, playMediaMs: number | null): number => {
    let t = baseTarget(frameMs);
    const h = peaks.heightMs;
    if (h !== null && playMediaMs !== null && origin !== null) {
      const expected = peaks.expected(playMediaMs, 2 * frameMs, PEAK_TAIL_MS);
      if (expected !== null) t = Math.min(maxDelay, Math.max(t, expected + frameMs));
    }
    return t;
  };

  const policy: DelayPolicy = {
    adaptive: true,
    observe(transitMs, arrivalMs) {
      window.add(arrivalMs, transitMs);
      const fastest = window.min() ?? transitMs;
      if (origin === null) origin = fastest;
      // Keep the histogram in absolute terms: when the origin moves, what was learned moves with it.
      const k = Math.trunc((fastest - origin) / bucketMs);
      if (k !== 0) {
        histogram.shift(-k);
        origin += k * bucketMs;
      }
      const delay = transitMs - origin;
      const mediaMs = arrivalMs - transitMs;
      const median = histogram.count >= warmup ? histogram.quantile(0.5) : null;
      const inPeak = median !== null && peaks.update(mediaMs, delay, median);
      // Once peaks are periodic the detector covers them: left in the histogram they would keep the target at peak
      // height between peaks too, which is what a fixed delay does.
      if (peaks.periodic && (inPeak || peaks.expected(mediaMs, 0, PEAK_TAIL_MS) !== null)) return;
      histogram.add(delay);
    },
    reference: () => origin ?? 0,
    requiredLagMs(frameMs, playMediaMs) {
      playMedia = playMediaMs;
      return target(frameMs, playMediaMs) - frameMs;
    },
    targetDelayMs: (frameMs) => target(frameMs, playMedia),
    // After a predicted peak the extra delay is given back at once: waiting for silence would keep it for seconds,
    // most of the way to the next peak.
    shrinkPatienceMs: () => (peaks.periodic ? 0 : undefined),
    onReset() {
      window.clear();
      origin = null;
      playMedia = null;
      peaks.reset();
    },
  };
  return createPlayoutEngine(policy, opts);
}
