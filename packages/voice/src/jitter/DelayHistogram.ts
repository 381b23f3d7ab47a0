/**
 * A histogram of relative packet delays with exponential forgetting, as NetEQ's delay manager keeps one: each new
 * sample gets weight (1 − λ) and everything older decays by λ, so the distribution tracks the last ~1/(1 − λ) samples.
 * The first samples are averaged uniformly (λₙ = n/(n+1)) so that start-up is not dominated by the empty prior.
 *
 * Forgetting is done lazily: instead of multiplying every bucket by λ, the new sample's weight grows by 1/λ; the
 * weights are renormalised before they could overflow.
 */
export interface DelayHistogram {
  add(valueMs: number): void;
  /** Smallest delay (upper edge of its bucket) at or below which a fraction `q` of the mass lies; null when empty. */
  quantile(q: number): number | null;
  /** Moves all mass by `k` buckets (negative: towards zero), clamping at both ends: the origin of the delays moved. */
  shift(k: number): void;
  readonly count: number;
}

export function createDelayHistogram(opts: { bucketMs: number; maxMs: number; forgetFactor: number }): DelayHistogram {
  const { bucketMs, forgetFactor } = opts;
  const n = Math.ceil(opts.maxMs / bucketMs);
  const buckets = new Float64Array(n);
  let total = 0;
  let count = 0;
  return {
    get count() {
      return count;
    },
    add(valueMs) {
      const b = Math.min(n - 1, Math.max(0, Math.floor(valueMs / bucketMs)));
      const lambda = Math.min(forgetFactor, count / (count + 1));
      // New weight w such that w / (total + w) = 1 − λ.
      const w = count === 0 ? 1 : (total * (1 - lambda)) / lambda;
      buckets[b]! += w;
      total += w;
      count++;
      if (total > 1e200) {
        for (let i = 0; i < n; i++) buckets[i]! /= total;
        total = 1;
      }
    },
    shift(k) {
      if (k === 0 || count === 0) return;
      const copy = buckets.slice();
      buckets.fill(0);
      for (let i = 0; i < n; i++) {
        const j = Math.min(n - 1, Math.max(0, i + k));
        buckets[j]! += copy[i]!;
      }
    },
    quantile(q) {
      if (count === 0) return null;
      const goal = q * total;
      let cum = 0;
      for (let i = 0; i < n; i++) {
        cum += buckets[i]!;
        if (cum >= goal) return (i + 1) * bucketMs;
      }
      return n * bucketMs;
    },
  };
}
