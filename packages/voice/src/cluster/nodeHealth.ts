/** `unknown` until the first probe answers or enough of them fail; only `up` nodes take channels. */
export type VoiceNodeHealthState = 'unknown' | 'up' | 'down';

export interface NodeHealth {
  state: VoiceNodeHealthState;
  /** Consecutive failed probes. */
  misses: number;
  /** Consecutive successful probes. */
  successes: number;
}

export interface HealthThresholds {
  /** Consecutive misses that mark a node down (default 3). */
  unhealthyAfter: number;
  /** Consecutive successes that bring a down node back (default 2; the first success brings an unknown node up). */
  healthyAfter: number;
}

export const INITIAL_HEALTH: NodeHealth = { state: 'unknown', misses: 0, successes: 0 };

/**
 * The health state after one probe. One miss is not a death (a GC pause or a lost packet), N in a row are; a node
 * that died must answer several probes in a row before it takes channels again, so a flapping node does not collect
 * channels it will drop.
 */
export function nextHealth(health: NodeHealth, ok: boolean, thresholds: HealthThresholds): NodeHealth {
  if (ok) {
    const successes = health.successes + 1;
    const up = health.state === 'up' || health.state === 'unknown' || successes >= thresholds.healthyAfter;
    return { state: up ? 'up' : 'down', misses: 0, successes };
  }
  const misses = health.misses + 1;
  return { state: misses >= thresholds.unhealthyAfter ? 'down' : health.state, misses, successes: 0 };
}
