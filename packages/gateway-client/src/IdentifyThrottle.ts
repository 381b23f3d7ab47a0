/**
 * Identify concurrency: shards are grouped in `maxConcurrency` buckets (`shard_id % maxConcurrency`) and each bucket
 * may identify once per `intervalMs`. `wait(shardId)` resolves when that shard may send its Identify.
 */
export class IdentifyThrottle {
  readonly maxConcurrency: number;
  readonly intervalMs: number;
  #next = new Map<number, number>();

  constructor(maxConcurrency = 1, intervalMs = 5000) {
    this.maxConcurrency = Math.max(1, Math.floor(maxConcurrency));
    this.intervalMs = intervalMs;
  }

  bucketOf(shardId: number): number {
    return shardId % this.maxConcurrency;
  }

  wait(shardId: number): Promise<void> {
    const bucket = this.bucketOf(shardId);
    const now = Date.now();
    // Reserve the slot synchronously so shards of one bucket queue up one interval apart.
    const at = Math.max(now, this.#next.get(bucket) ?? 0);
    this.#next.set(bucket, at + this.intervalMs);
    const delay = at - now;
    return delay <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, delay));
  }
}
