/**
 * Latency histogram with 0.1 ms buckets up to 10 s (anything later lands in the last bucket): recording is one array
 * increment, so a client process can stamp 100k deliveries/s, and histograms of several processes add up exactly.
 * Travels over IPC as sparse `[bucket, count]` pairs.
 */
const RESOLUTION_MS = 0.1;
const BUCKETS = 100_000;

export type SparseHistogram = [number, number][];

export class Histogram {
  readonly #counts = new Uint32Array(BUCKETS);
  count = 0;
  max = 0;

  record(ms: number): void {
    const bucket = Math.min(BUCKETS - 1, Math.max(0, Math.floor(ms / RESOLUTION_MS)));
    this.#counts[bucket]!++;
    this.count++;
    if (ms > this.max) this.max = ms;
  }

  reset(): void {
    this.#counts.fill(0);
    this.count = 0;
    this.max = 0;
  }

  toSparse(): SparseHistogram {
    const out: SparseHistogram = [];
    for (let i = 0; i < BUCKETS; i++) if (this.#counts[i]! > 0) out.push([i, this.#counts[i]!]);
    return out;
  }

  add(sparse: SparseHistogram, max = 0): void {
    for (const [bucket, n] of sparse) {
      this.#counts[bucket]! += n;
      this.count += n;
    }
    if (max > this.max) this.max = max;
  }

  /** Upper edge of the bucket holding the p-th percentile, in ms; NaN when empty. */
  percentile(p: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) return (i + 1) * RESOLUTION_MS;
    }
    return this.max;
  }
}
