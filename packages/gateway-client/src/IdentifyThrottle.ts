const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Identify concurrency: shards are grouped in `maxConcurrency` buckets (`shard_id % maxConcurrency`) and each bucket
 * may identify once per `intervalMs`. `wait(shardId)` resolves when that shard may send its Identify.
 */
export class IdentifyThrottle {
  readonly maxConcurrency: number;
  readonly intervalMs: number;
  #tail = new Map<number, Promise<void>>();
  #last = new Map<number, number>();

  constructor(maxConcurrency = 1, intervalMs = 5000) {
    this.maxConcurrency = Math.max(1, Math.floor(maxConcurrency));
    this.intervalMs = intervalMs;
  }

  bucketOf(shardId: number): number {
    return shardId % this.maxConcurrency;
  }

  wait(shardId: number): Promise<void> {
    const bucket = this.bucketOf(shardId);
    // Shards of one bucket queue behind each other; each turn is measured from when the previous one was let through
    // (not from when it was reserved), so a late turn can never squeeze the next one under the interval.
    const turn = (this.#tail.get(bucket) ?? Promise.resolve()).then(() => this.#gate(bucket));
    this.#tail.set(bucket, turn);
    return turn;
  }

  async #gate(bucket: number): Promise<void> {
    const last = this.#last.get(bucket);
    if (last !== undefined) {
      // Timers may fire a little early against the monotonic clock: wait until the slot is really due.
      for (
        let left = last + this.intervalMs - performance.now();
        left > 0;
        left = last + this.intervalMs - performance.now()
      )
        await sleep(Math.ceil(left));
    }
    this.#last.set(bucket, performance.now());
  }
}
