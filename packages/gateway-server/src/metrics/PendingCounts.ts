/**
 * Counts summed in plain numbers per label key and handed to prom-client when its registry collects (a metric's
 * `collect` hook): a labelled `inc` validates and hashes its labels on every call (~1 µs), and the gateway counts
 * several things per connection, Identify and command (issue #19, Identify throughput).
 */
export class PendingCounts {
  readonly #counts = new Map<string, number>();

  add(key: string, n = 1): void {
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + n);
  }

  /**
   * Hands every key counted since the last flush to `apply` (a gauge's +1 and −1 summing to 0 included: its series
   * then exists, as it did when each was applied at once) and starts again from zero.
   */
  flush(apply: (key: string, n: number) => void): void {
    for (const [key, n] of this.#counts) apply(key, n);
    this.#counts.clear();
  }
}
