export interface BackoffOptions {
  /** Delay before the second attempt in ms (the first reconnect is immediate). Default 1000. */
  base?: number;
  /** Cap in ms. Default 30000. */
  max?: number;
}

/**
 * Delay before reconnect attempt `attempt` (0-based): 0 for the first, then base·2^(n-1) capped at `max`, with
 * "equal jitter" (half fixed, half random) so a fleet of shards dropped together does not come back in lockstep.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  if (attempt <= 0) return 0;
  const base = options.base ?? 1000;
  const max = options.max ?? 30_000;
  const ceiling = Math.min(max, base * 2 ** Math.min(attempt - 1, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
