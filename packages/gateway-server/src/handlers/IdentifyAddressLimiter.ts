import { addressKey } from '../addressKey.js';

/** Peer addresses whose key is remembered; past this many the table starts over (as transport/sharedStrings.ts). */
const KEYS_KEPT = 4096;

/** Identifies allowed per remote address: `identifies` per `windowMs`, refilled continuously (a token bucket). */
export interface IdentifyAddressLimit {
  identifies: number;
  windowMs: number;
}

/**
 * Counts Identify attempts per remote address (IPv6 per /64, see `addressKey.ts`) so one source cannot make the
 * server authenticate, build READY and GUILD_CREATEs for token after token. A token bucket: up to `identifies` at
 * once, then one every `windowMs / identifies`. Memory: one entry per address seen while its bucket refills; full
 * buckets are dropped by `prune` (the server's liveness sweep).
 */
export class IdentifyAddressLimiter {
  readonly #capacity: number;
  /** Tokens per ms. */
  readonly #rate: number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  /**
   * `addressKey` per peer address: a connection's address is one string per address already (transport/sharedStrings.ts),
   * so a lookup here finds its hash cached, where `addressKey` ran node:net's `isIPv4` regex (and its match array) on
   * every Identify. Bounded like that table.
   */
  readonly #keys = new Map<string, string>();

  constructor(limit: IdentifyAddressLimit) {
    this.#capacity = Math.max(1, limit.identifies);
    this.#rate = this.#capacity / Math.max(1, limit.windowMs);
  }

  /** Takes one Identify for `remoteAddress`: false when its bucket is empty (the caller closes with 4008). */
  take(remoteAddress: string, now = Date.now()): boolean {
    const key = this.#keyOf(remoteAddress);
    const bucket = this.#buckets.get(key);
    const tokens = bucket ? Math.min(this.#capacity, bucket.tokens + (now - bucket.at) * this.#rate) : this.#capacity;
    if (tokens < 1) return false;
    // A known bucket updated in place: a new object and a map write per Identify otherwise.
    if (bucket) {
      bucket.tokens = tokens - 1;
      bucket.at = now;
    } else this.#buckets.set(key, { tokens: tokens - 1, at: now });
    return true;
  }

  #keyOf(remoteAddress: string): string {
    let key = this.#keys.get(remoteAddress);
    if (key === undefined) {
      key = addressKey(remoteAddress);
      if (this.#keys.size >= KEYS_KEPT) this.#keys.clear();
      this.#keys.set(remoteAddress, key);
    }
    return key;
  }

  /** Addresses with a partly used bucket. */
  get size(): number {
    return this.#buckets.size;
  }

  /** Drops the buckets that have refilled (they hold nothing a fresh bucket would not). */
  prune(now = Date.now()): void {
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + (now - bucket.at) * this.#rate >= this.#capacity) this.#buckets.delete(key);
    }
  }
}
