type Awaitable<T> = T | Promise<T>;

/**
 * Decides when each shard may send its Identify. `ShardManager` awaits `wait(shardId)` before every Identify; the
 * default is the in-process `InMemoryIdentifyQueue`, and `@concord/gateway-client/redis` has one shared by a whole fleet.
 */
export interface IdentifyQueue {
  /**
   * Resolves when `shardId` may identify (its turn in bucket `shardId % max_concurrency` has come). Rejects when
   * `signal` aborts first; an aborted wait gives its place up.
   */
  wait(shardId: number, signal?: AbortSignal): Promise<unknown>;
  /** Releases what the queue holds (timers, connections it opened). `ShardManager` never calls it: the owner does. */
  close?(): Awaitable<void>;
}

/** What a factory given as `ShardManagerOptions.identifyQueue` learns once `/gateway/bot` was read. */
export interface IdentifyLimits {
  maxConcurrency: number;
  intervalMs: number;
}
