import type { SimulatedTrace } from './simulateNetwork.js';
import type { JitterBuffer, JitterStats } from './types.js';

export interface TraceResult {
  stats: JitterStats;
  /** Late packets as a share of packets sent, %. */
  lateLossPct: number;
  /** Concealed frames as a share of frames played while talking (audio + concealed), %. */
  concealmentPct: number;
  /** Frames dropped to shrink the delay, as a share of packets sent, %. */
  shrinkDropPct: number;
  /** Mean wait of played frames between arrival and playout, ms. */
  meanAddedDelayMs: number;
  /** Highest target delay seen at a pull, ms. */
  maxTargetMs: number;
  /** Target delay at each pull (one per `pullIntervalMs`), when `recordTargets` is set. */
  targets?: number[];
}

/**
 * Plays a simulated trace through a buffer: packets are pushed at their arrival times and the playout clock pulls every
 * `pullIntervalMs`, with a phase of `phaseMs` against the sender's clock (both sides' clocks run at the same rate).
 */
export function runTrace(
  buffer: JitterBuffer,
  trace: SimulatedTrace,
  opts: { pullIntervalMs?: number; phaseMs?: number; tailMs?: number; recordTargets?: boolean } = {},
): TraceResult {
  const interval = opts.pullIntervalMs ?? 20;
  const end = trace.scenario.durationMs + (opts.tailMs ?? 1000);
  const targets: number[] = [];
  let maxTarget = 0;
  let i = 0;
  for (let now = opts.phaseMs ?? 7; now < end; now += interval) {
    while (i < trace.arrivals.length && trace.arrivals[i]!.arrivalMs <= now) buffer.push(trace.arrivals[i++]!);
    buffer.pull(now);
    const t = buffer.stats().targetDelayMs;
    if (t > maxTarget) maxTarget = t;
    if (opts.recordTargets) targets.push(t);
  }
  while (i < trace.arrivals.length) buffer.push(trace.arrivals[i++]!);
  const stats = buffer.stats();
  const talkFrames = stats.played + stats.concealed;
  const result: TraceResult = {
    stats,
    lateLossPct: (100 * stats.late) / Math.max(1, trace.sent),
    concealmentPct: (100 * stats.concealed) / Math.max(1, talkFrames),
    shrinkDropPct: (100 * stats.shrinkDropped) / Math.max(1, trace.sent),
    meanAddedDelayMs: stats.meanAddedDelayMs,
    maxTargetMs: maxTarget,
  };
  if (opts.recordTargets) result.targets = targets;
  return result;
}
