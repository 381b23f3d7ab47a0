export interface MemberRequestLimiterOptions {
  /** Window per key (default 30 000 ms: one whole-list request per guild per 30 s). */
  intervalMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/**
 * One request per key per interval (key: e.g. `${userId}:${guildId}` so all shards of one bot share it).
 * Memory is bounded by the keys seen in the last interval: expired entries are swept as new ones arrive.
 */
export class MemberRequestLimiter {
  readonly #interval: number;
  readonly #now: () => number;
  /** key → time the key may be used again. Insertion order = expiry order, since the interval is constant. */
  readonly #until = new Map<string, number>();

  constructor(options: MemberRequestLimiterOptions = {}) {
    this.#interval = options.intervalMs ?? 30_000;
    this.#now = options.now ?? Date.now;
  }

  /** Takes the slot for `key`: returns 0 when allowed (and records it), else seconds until it frees. */
  take(key: string): number {
    const now = this.#now();
    this.#sweep(now);
    const until = this.#until.get(key);
    if (until !== undefined && until > now) return (until - now) / 1000;
    this.#until.delete(key);
    this.#until.set(key, now + this.#interval);
    return 0;
  }

  get size(): number {
    return this.#until.size;
  }

  #sweep(now: number): void {
    for (const [key, until] of this.#until) {
      if (until > now) break;
      this.#until.delete(key);
    }
  }
}

/** The `d` of the RATE_LIMITED dispatch that answers a refused op 8. */
export function memberRequestRateLimited(
  guildId: string,
  nonce: string | undefined,
  retryAfterSeconds: number,
): { opcode: 8; retry_after: number; meta: { guild_id: string; nonce?: string } } {
  const meta: { guild_id: string; nonce?: string } = { guild_id: guildId };
  if (nonce !== undefined) meta.nonce = nonce;
  return { opcode: 8, retry_after: Math.round(retryAfterSeconds * 1000) / 1000, meta };
}
