/**
 * Detects periodic delay peaks (Wi-Fi scans, power-save wake-ups): short bursts of much higher delay that come back at a
 * steady interval. Same idea as NetEQ's DelayPeakDetector (our own code): remember each peak's height and the time since
 * the previous one; once the last intervals agree, the peaks are periodic and the next one can be predicted, so the
 * buffer can be deep only around it instead of all the time. A quantile alone cannot do that: it either covers the
 * peaks at every moment or loses them.
 *
 * Times are media times (sender clock, ms): the spacing of peaks is a property of the sender's timeline plus the
 * network, and media time does not move when the playout point does.
 */
export interface DelayPeakDetector {
  /**
   * Feeds one packet: its media time, its delay above the fastest path and the buffer's normal delay level (e.g. a
   * median). Returns whether the packet is part of a peak.
   */
  update(mediaMs: number, delayMs: number, baselineMs: number): boolean;
  /**
   * While peaks are periodic: the height to cover if media time `mediaMs` lies within `leadMs` before a predicted peak,
   * inside it or within `tailMs` after it; else null.
   */
  expected(mediaMs: number, leadMs: number, tailMs: number): number | null;
  readonly periodic: boolean;
  /** Height of the largest recent peak (delay above the fastest path), ms; null until periodic. */
  readonly heightMs: number | null;
  /** Learned interval between peak starts, ms; null until periodic. */
  readonly periodMs: number | null;
  reset(): void;
}

export interface DelayPeakDetectorOptions {
  /** How far above the baseline a delay must be to count as a peak; 60 ms (three 20 ms frames). */
  thresholdMs?: number;
  /** Peak samples closer than this (media time) belong to the same peak; 1000 ms. */
  mergeMs?: number;
  /** Consecutive intervals that must agree before peaks are called periodic; 3 (four peaks). */
  intervals?: number;
  /** How far each interval may be from their mean, as a fraction; 0.05. Random jitter spikes are rarely this regular. */
  tolerance?: number;
  /** How far each peak's height may be from their mean, as a fraction; 0.25. */
  heightTolerance?: number;
  /** Shortest period taken as periodic; 1000 ms (shorter than that, the quantile already covers it). */
  minPeriodMs?: number;
}

interface Peak {
  startMs: number;
  endMs: number;
  heightMs: number;
}

export function createDelayPeakDetector(opts: DelayPeakDetectorOptions = {}): DelayPeakDetector {
  const threshold = opts.thresholdMs ?? 60;
  const merge = opts.mergeMs ?? 1000;
  const needed = opts.intervals ?? 3;
  const tolerance = opts.tolerance ?? 0.05;
  const heightTolerance = opts.heightTolerance ?? 0.25;
  const minPeriod = opts.minPeriodMs ?? 1000;
  let current: Peak | null = null;
  let intervals: number[] = [];
  // Peak heights and widths kept alongside the intervals: the prediction covers the largest recent one.
  let recent: Peak[] = [];
  let period: number | null = null;
  let newest = Number.NEGATIVE_INFINITY;

  function closePeak(p: Peak): void {
    const prev = recent[recent.length - 1];
    if (prev !== undefined) intervals.push(p.startMs - prev.startMs);
    recent.push(p);
    if (intervals.length > needed) intervals = intervals.slice(-needed);
    if (recent.length > needed + 1) recent = recent.slice(-(needed + 1));
    period = null;
    if (intervals.length < needed) return;
    const mean = intervals.reduce((a, b) => a + b, 0) / intervals.length;
    if (mean < minPeriod) return;
    // Periodic peaks of one cause also have about the same height; chance coincidences of random jitter rarely do both.
    const heights = recent.map((r) => r.heightMs);
    const meanHeight = heights.reduce((a, b) => a + b, 0) / heights.length;
    const regularHeights = heights.every((h) => Math.abs(h - meanHeight) <= heightTolerance * meanHeight);
    if (regularHeights && intervals.every((x) => Math.abs(x - mean) <= tolerance * mean)) period = mean;
  }

  /** Forgets the pattern once a predicted peak failed to come (two periods without one): the network changed. */
  function expire(nowMedia: number): void {
    const last = current ?? recent[recent.length - 1];
    if (period !== null && last !== undefined && nowMedia > last.startMs + 2 * period + (last.endMs - last.startMs)) {
      period = null;
      intervals = [];
      recent = [];
    }
  }

  return {
    get periodic() {
      return period !== null;
    },
    get periodMs() {
      return period;
    },
    get heightMs() {
      if (period === null) return null;
      let h = current?.heightMs ?? 0;
      for (const p of recent) h = Math.max(h, p.heightMs);
      return h;
    },
    update(mediaMs, delayMs, baselineMs) {
      if (mediaMs > newest) newest = mediaMs;
      // A peak ends when no peak sample came for `merge`: only then are its start, width and height known.
      if (current !== null && newest > current.endMs + merge) {
        closePeak(current);
        current = null;
      }
      expire(newest);
      if (delayMs - baselineMs < threshold) return false;
      if (current === null) current = { startMs: mediaMs, endMs: mediaMs, heightMs: delayMs };
      else {
        current.startMs = Math.min(current.startMs, mediaMs);
        current.endMs = Math.max(current.endMs, mediaMs);
        current.heightMs = Math.max(current.heightMs, delayMs);
      }
      return true;
    },
    expected(mediaMs, leadMs, tailMs) {
      expire(Math.max(newest, mediaMs));
      if (period === null) return null;
      const last = current ?? recent[recent.length - 1];
      if (last === undefined) return null;
      let height = 0;
      let width = 0;
      for (const p of recent) {
        height = Math.max(height, p.heightMs);
        width = Math.max(width, p.endMs - p.startMs);
      }
      if (current !== null) height = Math.max(height, current.heightMs);
      // The peak in progress (if any) and the next predicted one.
      const k = Math.max(0, Math.floor((mediaMs - last.startMs + leadMs) / period));
      const start = last.startMs + k * period;
      if (mediaMs >= start - leadMs && mediaMs <= start + width + tailMs) return height;
      return null;
    },
    reset() {
      current = null;
      intervals = [];
      recent = [];
      period = null;
      newest = Number.NEGATIVE_INFINITY;
    },
  };
}
