import { createPlayoutEngine, type DelayPolicy } from './playoutEngine.js';
import type { JitterBuffer, JitterBufferCommonOptions } from './types.js';

export interface FixedDelayBufferOptions extends JitterBufferCommonOptions {
  /** Extra wait after the first packet of the stream: frame `ts` plays at first arrival + (ts − first ts) + delayMs. */
  delayMs: number;
}

/**
 * The textbook fixed jitter buffer, the comparison baseline: the playout clock is anchored on the first packet's arrival
 * plus a constant delay and never moves (until a stream reset). Same push/pull interface and statistics as the
 * adaptive buffer.
 */
export function createFixedDelayBuffer(opts: FixedDelayBufferOptions): JitterBuffer {
  let anchor: number | null = null;
  const policy: DelayPolicy = {
    adaptive: false,
    observe(transitMs) {
      if (anchor === null) anchor = transitMs;
    },
    reference: () => anchor ?? 0,
    requiredLagMs: () => opts.delayMs,
    targetDelayMs: () => opts.delayMs,
    onReset() {
      anchor = null;
    },
  };
  return createPlayoutEngine(policy, opts);
}
