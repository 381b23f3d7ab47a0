import { createDelayHistogram } from './DelayHistogram.js';
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

  const target = (frameMs: number): number => {
    const q = histogram.count >= warmup ? histogram.quantile(quantile) : null;
    const t = q === null ? initial : q + frameMs;
    return Math.min(maxDelay, Math.max(minDelay, t));
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
      histogram.add(transitMs - origin);
    },
    reference: () => origin ?? 0,
    requiredLagMs: (frameMs) => target(frameMs) - frameMs,
    targetDelayMs: target,
    onReset() {
      window.clear();
      origin = null;
    },
  };
  return createPlayoutEngine(policy, opts);
}
