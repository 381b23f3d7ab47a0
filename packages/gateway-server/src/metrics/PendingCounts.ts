/**
 * Counts summed in plain numbers per label key and handed to prom-client when its registry collects (a metric's
 * `collect` hook): a labelled `inc` validates and hashes its labels on every call (~1 µs), and the gateway counts
 * several things per connection, Identify and command (issue #19, Identify throughput).
 */
export class PendingCounts {
  /** Per key counted since the last flush, its sum: a cell added to in place (one map write per key and flush). */
  readonly #cells = new Map<string, { n: number }>();
  /**
   * The key last added to and its cell: nearly every count repeats the one before it (the bytes of one encoding, the
   * one connect URL's labels, `ok` Identifies), and a map lookup of a short string was ~0.3 µs on the Identify path
   * (the table's cache lines long evicted between two counts: issue #19, perf profile of the Identify burst).
   */
  #lastKey: string | undefined;
  #last: { n: number } | undefined;

  add(key: string, n = 1): void {
    let cell = key === this.#lastKey ? this.#last : this.#cells.get(key);
    if (cell === undefined) {
      cell = { n: 0 };
      this.#cells.set(key, cell);
    }
    cell.n += n;
    this.#lastKey = key;
    this.#last = cell;
  }

  /**
   * Hands every key counted since the last flush to `apply` (a gauge's +1 and −1 summing to 0 included: its series
   * then exists, as it did when each was applied at once) and starts again from zero.
   */
  flush(apply: (key: string, n: number) => void): void {
    for (const [key, cell] of this.#cells) apply(key, cell.n);
    this.#cells.clear();
    this.#lastKey = undefined;
    this.#last = undefined;
  }
}
