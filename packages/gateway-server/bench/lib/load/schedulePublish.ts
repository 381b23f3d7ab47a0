import { monotonicMs } from './fixtures.js';

/** What a publisher is asked to do: `rate` messages per second over guilds `0 .. guilds - 1` until `to`. */
export interface PublishSchedule {
  rate: number;
  guilds: number;
  /** Measured window on CLOCK_MONOTONIC ms; publishing starts at once (the warm-up) and ends at `to`. */
  from: number;
  to: number;
}

/** What it did (see `Published` in node.ts). */
export interface PublishOutcome {
  measured: number;
  total: number;
  late: number;
  from: number;
  to: number;
  maxTickGapMs: number;
}

/**
 * The load test's publisher clock, shared by node.ts and the host workers: message n is due at t0 + n × interval and
 * carries that time, not the time the loop got round to it — a publisher held up by a busy event loop must not hide
 * the delay from the latency (coordinated omission). A 5 ms tick sends whatever is due by then.
 */
export function schedulePublish(
  c: PublishSchedule,
  publish: (n: number, guild: number, due: number) => void,
  done: (outcome: PublishOutcome) => void,
): void {
  const t0 = monotonicMs();
  const { from, to } = c;
  const interval = 1000 / c.rate;
  let sent = 0;
  let measured = 0;
  let late = 0;
  let last = t0;
  let maxGap = 0;
  const timer = setInterval(() => {
    const now = monotonicMs();
    if (now - last > maxGap) maxGap = now - last;
    last = now;
    for (let due = t0 + sent * interval; due <= now && due < to; due = t0 + sent * interval) {
      if (due >= from) measured++;
      if (now - due > 50) late++;
      publish(sent, sent % c.guilds, due);
      sent++;
    }
    if (now >= to) {
      clearInterval(timer);
      done({ measured, total: sent, late, from, to, maxTickGapMs: maxGap });
    }
  }, 5);
}
