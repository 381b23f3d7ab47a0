import { GatewayClientError } from './GatewayClientError.js';
import type { IdentifyQueue } from './IdentifyQueue.js';

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * The default `IdentifyQueue` (formerly `IdentifyThrottle`), for one process: shards are grouped in `maxConcurrency`
 * buckets (`shard_id % maxConcurrency`) and each bucket may identify once per `intervalMs`. `wait(shardId)` resolves
 * when that shard may send its Identify. Processes of a fleet each have their own: use the Redis queue to share
 * buckets between them.
 */
export class InMemoryIdentifyQueue implements IdentifyQueue {
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

  wait(shardId: number, signal?: AbortSignal): Promise<void> {
    const bucket = this.bucketOf(shardId);
    // Shards of one bucket queue behind each other; each turn is measured from when the previous one was let through
    // (not from when it was reserved), so a late turn can never squeeze the next one under the interval.
    const previous = this.#tail.get(bucket) ?? Promise.resolve();
    const turn = previous.then(() => this.#gate(bucket, signal));
    // A turn given up must not break the chain for the ones behind it.
    this.#tail.set(
      bucket,
      turn.catch(() => undefined),
    );
    return turn;
  }

  async #gate(bucket: number, signal: AbortSignal | undefined): Promise<void> {
    const last = this.#last.get(bucket);
    if (last !== undefined) {
      // Timers may fire a little early against the monotonic clock: wait until the slot is really due.
      for (
        let left = last + this.intervalMs - performance.now();
        left > 0 && !signal?.aborted;
        left = last + this.intervalMs - performance.now()
      )
        await sleep(Math.ceil(left), signal);
    }
    // An aborted turn does not use the slot: the next shard of the bucket goes at once.
    if (signal?.aborted) throw new GatewayClientError('DESTROYED', 'identify wait aborted');
    this.#last.set(bucket, performance.now());
  }
}
