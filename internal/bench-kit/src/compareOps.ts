import { type Comparison, comparison } from './report.js';

/** Runs `fn` (which performs `opsPerCall` operations) repeatedly for about `timeMs`; returns operations per second. */
export function measureOps(fn: () => unknown, timeMs: number, opsPerCall = 1): number {
  let calls = 0;
  let sink: unknown;
  const start = performance.now();
  const deadline = start + timeMs;
  let now = start;
  // Check the clock every few calls only: performance.now() costs as much as a cheap op.
  while (now < deadline) {
    for (let i = 0; i < 16; i++) sink = fn();
    calls += 16;
    now = performance.now();
  }
  if (sink === Symbol.for('never')) console.log(sink);
  return (calls * opsPerCall * 1000) / (now - start);
}

export interface CompareOpsOptions {
  bench: string;
  against: string;
  ours: () => unknown;
  baseline: () => unknown;
  /** Operations one call performs (e.g. a batch of 1000 ids). */
  opsPerCall?: number;
  rounds?: number;
  timeMs?: number;
  warmupMs?: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Interleaves rounds of ours and the baseline so that machine noise (this is a shared 2-core box) hits both alike,
 * and compares medians.
 */
export function compareOps(o: CompareOpsOptions): Comparison {
  const rounds = o.rounds ?? 7;
  const timeMs = o.timeMs ?? 250;
  const per = o.opsPerCall ?? 1;
  measureOps(o.ours, o.warmupMs ?? 200, per);
  measureOps(o.baseline, o.warmupMs ?? 200, per);
  const ours: number[] = [];
  const base: number[] = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      ours.push(measureOps(o.ours, timeMs, per));
      base.push(measureOps(o.baseline, timeMs, per));
    } else {
      base.push(measureOps(o.baseline, timeMs, per));
      ours.push(measureOps(o.ours, timeMs, per));
    }
  }
  return comparison(o.bench, 'ops/s', median(ours), median(base), o.against);
}
