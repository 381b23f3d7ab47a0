/**
 * One measured step of bench/workers.ts: a steady MESSAGE_CREATE rate for a warm-up and a window, latency from the
 * clients' histograms (publish time carried in the message, so publisher lag counts), server CPU over the window
 * (every gateway process plus the host's primary), clients' CPU, and memory after.
 */
import { loadavg } from 'node:os';
import { monotonicMs } from '../load/fixtures.js';
import type { ClientFleet } from './clientFleet.js';
import type { ServerStats, Servers } from './servers.js';

export interface StepFigures {
  servers: string;
  sessions: number;
  rate: number;
  guildSize: number;
  offeredPerSec: number;
  deliveredPerSec: number;
  missing: number;
  p50: number;
  p99: number;
  max: number;
  /** Server CPU over the window, % of one core, per gateway process; `overheadCpu` for the primary. */
  serverCpu: number[];
  overheadCpu: number;
  serverSysShare: number;
  /** All server CPU (µs) over the window / deliveries due in it. */
  cpuPerDeliveryUs: number;
  /**
   * The broker daemon's CPU (µs) over the window / deliveries due in it, when the step was given one to watch (the
   * NATS or Redis server: part of what a broker hop costs, as the host's primary is part of the host fan-out).
   */
  daemonCpuPerDeliveryUs: number | null;
  clientCpu: number;
  elu: number[];
  /** Per gateway process: voluntary context switches per second over the window (its event loop's wake-ups). */
  wakeups: number[];
  /** Sum of gateway processes' RSS (+ the primary's) after the step, per session; and above the empty baseline. */
  rssPerSessionKB: number;
  rssAbovePerSessionKB: number;
  linkDrops: number;
  /** Longest garbage-collection pause of any gateway process in the window, and their GC share of it (host only). */
  gcMaxMs: number;
  gcShare: number;
  dropped: number;
  /** The machine's 1-minute load average after the step (other work on the box shows here). */
  load1: number;
  degraded: string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cpuOf = (s: ServerStats) => s.cpuUser + s.cpuSystem;

export async function measureStep(
  servers: Servers,
  clients: ClientFleet,
  options: {
    rate: number;
    guilds: number;
    guildSize: number;
    warmupMs: number;
    measureMs: number;
    drainMs: number;
    baseRss: number;
    /** CPU seconds of a broker daemon so far (null: unknown), read at both ends of the window. */
    daemonCpuSeconds?: () => number | null;
  },
): Promise<StepFigures> {
  const { rate, guilds, guildSize } = options;
  const t0 = monotonicMs() + 20;
  const from = t0 + options.warmupMs;
  const to = from + options.measureMs;
  await clients.mark(from, to);
  const published = servers.publish({ rate, guilds, from, to });
  await sleep(Math.max(0, from - monotonicMs()));
  const daemon0 = options.daemonCpuSeconds?.() ?? null;
  const [s0, o0, c0] = await Promise.all([servers.stats(false), servers.overhead(), clients.cpu()]);
  const w0 = monotonicMs();
  await sleep(Math.max(0, to - monotonicMs()));
  const [s1, o1, c1] = await Promise.all([servers.stats(false), servers.overhead(), clients.cpu()]);
  const daemon1 = options.daemonCpuSeconds?.() ?? null;
  const wallS = (monotonicMs() - w0) / 1000;
  const pub = await published;
  const expected = pub.measured * guildSize;
  const drainUntil = monotonicMs() + options.drainMs;
  while (monotonicMs() < drainUntil && (await clients.counted()) < expected) await sleep(100);
  const got = await clients.collect();
  const after = await servers.stats(true);
  const overhead = await servers.overhead();
  const sessions = after.reduce((s, n) => s + n.sessions, 0);
  const measureS = (to - from) / 1000;
  const offeredPerSec = expected / measureS;
  const deliveredPerSec = got.counted / ((Math.max(to, got.lastAt) - from) / 1000);
  const serverUs = s1.reduce((s, n, i) => s + cpuOf(n) - cpuOf(s0[i]!), 0) + (o1.cpu - o0.cpu);
  const sysUs = s1.reduce((s, n, i) => s + n.cpuSystem - s0[i]!.cpuSystem, 0);
  // Deliveries due in the CPU window: the offered rate over the wall time it was measured.
  const deliveriesInWindow = offeredPerSec * wallS;
  const rss = after.reduce((s, n) => s + n.rss, 0) + overhead.rss;
  let degraded: string | null = null;
  if (got.dropped > 0 || sessions < got.open) degraded = `${got.dropped} sessions dropped`;
  else if (deliveredPerSec < 0.95 * offeredPerSec) {
    degraded = `delivered ${((100 * deliveredPerSec) / offeredPerSec).toFixed(0)} % of offered`;
  }
  return {
    servers: servers.name,
    sessions,
    rate,
    guildSize,
    offeredPerSec,
    deliveredPerSec,
    missing: expected - got.counted,
    p50: got.histogram.percentile(50),
    p99: got.histogram.percentile(99),
    max: got.histogram.max,
    serverCpu: s1.map((n, i) => (cpuOf(n) - cpuOf(s0[i]!)) / 1e4 / wallS),
    overheadCpu: (o1.cpu - o0.cpu) / 1e4 / wallS,
    serverSysShare: sysUs / Math.max(1, serverUs - (o1.cpu - o0.cpu)),
    cpuPerDeliveryUs: serverUs / Math.max(1, deliveriesInWindow),
    daemonCpuPerDeliveryUs:
      daemon0 !== null && daemon1 !== null ? ((daemon1 - daemon0) * 1e6) / Math.max(1, deliveriesInWindow) : null,
    clientCpu: (c1 - c0) / 1e4 / wallS,
    elu: s1.map((n) => n.elu),
    wakeups: s1.map((n, i) => (n.switchesVoluntary - s0[i]!.switchesVoluntary) / wallS),
    rssPerSessionKB: rss / 1024 / Math.max(1, sessions),
    rssAbovePerSessionKB: (rss - options.baseRss) / 1024 / Math.max(1, sessions),
    linkDrops: after.reduce((s, n) => s + (n.dropped ?? 0), 0),
    gcMaxMs: Math.max(0, ...s1.map((n) => n.gcMaxMs ?? 0)),
    gcShare: s1.reduce((s, n) => s + (n.gcMs ?? 0), 0) / 1000 / wallS / s1.length,
    dropped: got.dropped,
    load1: loadavg()[0]!,
    degraded,
  };
}

/** One line of the readable log. */
export function describeStep(f: StepFigures): string {
  const cpu = f.serverCpu.map((c) => c.toFixed(1)).join('+');
  return (
    `${f.servers}: ${f.sessions} sessions, ${f.rate} msg/s × ${f.guildSize} → ${f.offeredPerSec.toFixed(0)} deliveries/s ` +
    `offered, ${f.deliveredPerSec.toFixed(0)} delivered; p50 ${f.p50.toFixed(1)} p99 ${f.p99.toFixed(1)} max ` +
    `${f.max.toFixed(0)} ms; server CPU ${cpu}${f.overheadCpu >= 0.05 ? ` + primary ${f.overheadCpu.toFixed(1)}` : ''} % ` +
    `(kernel ${(100 * f.serverSysShare).toFixed(0)} %), ${f.cpuPerDeliveryUs.toFixed(1)} µs/delivery` +
    `${f.daemonCpuPerDeliveryUs !== null ? ` + broker daemon ${f.daemonCpuPerDeliveryUs.toFixed(1)}` : ''}; wake-ups ` +
    `${f.wakeups.map((w) => w.toFixed(0)).join('+')}/s; clients ` +
    `${f.clientCpu.toFixed(0)} %; RSS ${f.rssPerSessionKB.toFixed(1)} KB/session (${f.rssAbovePerSessionKB.toFixed(1)} above ` +
    `empty); GC ${(100 * f.gcShare).toFixed(1)} % of each process's time, longest pause ${f.gcMaxMs.toFixed(0)} ms` +
    `; load ${f.load1.toFixed(1)}${f.linkDrops ? `; ${f.linkDrops} link drops` : ''}${f.degraded ? ` — SATURATED: ${f.degraded}` : ''}`
  );
}
