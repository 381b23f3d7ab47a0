/**
 * Every core of a host: a gateway node run as N worker processes sharing one port (node:cluster), joined by the
 * host-local fan-out (`@concord/gateway-server/host`: unix-socket links, one encode per message, per-tick batches).
 * Every part is its own process: the host's primary and workers (bench/lib/workers/), bus-broker nodes for the
 * comparison (bench/lib/load/node.ts), and the load clients (bench/lib/load/clients.ts, raw sockets from several
 * 127.0.x.y source addresses, at most WORKERS_CLIENT_SESSIONS each).
 *
 *   node --expose-gc --import tsx packages/gateway-server/bench/workers.ts           (bounded: ≤ 3 min)
 *   WORKERS_PARTS=sessions WORKERS_SESSIONS=100000 WORKERS_PROCESSES=8 WORKERS_RATES=250,500,1000 \
 *     WORKERS_TIME_LIMIT_S=900 node --expose-gc --import tsx packages/gateway-server/bench/workers.ts   (full size)
 *
 * Parts (WORKERS_PARTS, comma-separated):
 * - `large`: one guild of WORKERS_LARGE_GUILD (10,000) members at WORKERS_LARGE_RATE (2) msg/s, on a host of one
 *   worker and of two: p99 falls when the writes of one message are spread over processes
 *   (`gateway.host.large-guild.p99`).
 * - `cpu`: WORKERS_CPU_SESSIONS (10,000) sessions in guilds of 100, one delivery per session per second: server CPU
 *   per delivery with two workers over the host fan-out vs two nodes over NATS (`gateway.host.cpu-per-delivery`).
 * - `hop`: WORKERS_HOP_SESSIONS (2,000) sessions in guilds of two, one member on each of two processes, at
 *   WORKERS_HOP_RATE (1,000) msg/s: server CPU per message, i.e. what a crossing costs, host links vs NATS
 *   (`gateway.host.hop.cpu-per-message`; `.with-daemon` counts nats-server's CPU from /proc too). WORKERS_HOP_ROUNDS
 *   (1) alternates the two that many times and reports medians.
 * - `sessions`: WORKERS_SESSIONS (20,000; 100,000 for the full run) identified sessions on WORKERS_PROCESSES
 *   workers, guilds of 100, at each of WORKERS_RATES msg/s (stops at the first saturated rate): p99 and RSS per
 *   session (`gateway.host.sessions.p99`, `gateway.host.sessions.rss-per-session`, against the issue's goals).
 *
 * WORKERS_NODE_ARGS passes Node flags to every server process (host primary and workers, bus nodes), e.g.
 * `--cpu-prof --cpu-prof-dir=<dir>` or `--perf-basic-prof` for `perf record`.
 */
import { connect } from 'node:net';
import { comparison, report } from '@concord/bench-kit';
import { daemonCpuSeconds } from './lib/load/brokerCeiling.js';
import type { Child } from './lib/load/child.js';
import { type ClientFleet, startClients } from './lib/workers/clientFleet.js';
import { describeStep, measureStep, type StepFigures } from './lib/workers/measureStep.js';
import { type Servers, startHost, startNodes } from './lib/workers/servers.js';

const env = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
const PARTS = (process.env.WORKERS_PARTS ?? 'large,cpu,hop,sessions').split(',').filter(Boolean);
const LARGE = env('WORKERS_LARGE_GUILD', 10_000);
const LARGE_RATE = env('WORKERS_LARGE_RATE', 2);
const CPU_SESSIONS = env('WORKERS_CPU_SESSIONS', 10_000);
const SESSIONS = env('WORKERS_SESSIONS', 20_000);
const HOP_SESSIONS = env('WORKERS_HOP_SESSIONS', 2000);
const HOP_RATE = env('WORKERS_HOP_RATE', 1000);
const HOP_ROUNDS = env('WORKERS_HOP_ROUNDS', 1);
const PROCESSES = env('WORKERS_PROCESSES', 4);
const RATES = (process.env.WORKERS_RATES ?? '200')
  .split(',')
  .map(Number)
  .filter((r) => r > 0);
const GUILD_SIZE = 100;
const PER_CLIENT = env('WORKERS_CLIENT_SESSIONS', 17_000);
const PARALLEL = env('WORKERS_PARALLEL', 128);
const WARMUP_MS = env('WORKERS_WARMUP_S', 2) * 1000;
const MEASURE_MS = env('WORKERS_MEASURE_S', 8) * 1000;
const DRAIN_MS = 5000;
const TIME_LIMIT_MS = env('WORKERS_TIME_LIMIT_S', 170) * 1000;
const GOAL_P99_MS = 100;
const GOAL_RSS_KB = 12;

/** The middle value (the mean of the two middle ones for an even count). */
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const started = Date.now();
const log = (line: string) =>
  console.error(`[workers ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}`);
const children = new Set<Child>();
const track = (c: Child): void => {
  children.add(c);
};
const killAll = () => {
  for (const c of children) c.proc.kill('SIGKILL');
};
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}
// Bounded whatever happens: past the limit (plus time to stop) everything is killed.
setTimeout(() => {
  console.error('workers: hard time limit reached, killing everything');
  killAll();
  process.exit(1);
}, TIME_LIMIT_MS + 60_000).unref();

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.setTimeout(1000, () => {
      s.destroy();
      resolve(false);
    });
    s.on('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/** Starts servers and clients, opens `sessions`, runs each rate (stopping after a saturated one), stops all. */
async function run(
  start: () => Promise<Servers>,
  sessions: number,
  guildSize: number,
  rates: number[],
  daemonCpuSeconds?: () => number | null,
): Promise<StepFigures[]> {
  const [servers, clients] = await Promise.all([start(), startClients(sessions, PER_CLIENT, track)]);
  const out: StepFigures[] = [];
  try {
    const base = await servers.stats(true);
    log(`${servers.name}: gateway processes ${base.map((s) => s.pid).join(', ')} (the first publishes)`);
    const baseRss = base.reduce((s, n) => s + n.rss, 0) + (await servers.overhead()).rss;
    const opened = await openAll(servers, clients, sessions);
    log(`${servers.name}: ${opened.ok} sessions identified in ${(opened.ms / 1000).toFixed(1)} s`);
    if (opened.failed > 0) throw new Error(`${opened.failed} sessions failed to open: ${opened.errors.join('; ')}`);
    const guilds = Math.max(1, Math.floor(sessions / guildSize));
    await servers.linked(guilds);
    // The sessions just opened are promoted to the old generation: collect now, so the first full collection after
    // the ramp does not land in the measured window (steady state is what is measured).
    await servers.stats(true);
    for (const rate of rates) {
      const figures = await measureStep(servers, clients, {
        rate,
        guilds,
        guildSize,
        warmupMs: WARMUP_MS,
        measureMs: MEASURE_MS,
        drainMs: DRAIN_MS,
        baseRss,
        ...(daemonCpuSeconds ? { daemonCpuSeconds } : {}),
      });
      log(describeStep(figures));
      out.push(figures);
      if (figures.degraded) break;
    }
  } finally {
    await Promise.all([servers.stop(), clients.stop()]);
    for (const c of [...children]) if (c.proc.exitCode !== null || c.proc.signalCode !== null) children.delete(c);
  }
  return out;
}

function openAll(servers: Servers, clients: ClientFleet, sessions: number) {
  return clients.open(servers.urls, 0, sessions, PARALLEL);
}

const rows = [];
const notes: string[] = [];

if (PARTS.includes('large')) {
  const [one] = await run(() => startHost(1, LARGE, track), LARGE, LARGE, [LARGE_RATE]);
  const [two] = await run(() => startHost(2, LARGE, track), LARGE, LARGE, [LARGE_RATE]);
  if (one && two) {
    rows.push(comparison('gateway.host.large-guild.p99', 'ms', two.p99, one.p99, 'one process', true));
    notes.push(
      `large guild: ${LARGE} members, ${LARGE_RATE} msg/s; p99 ${one.p99.toFixed(0)} ms on one worker ` +
        `(CPU ${one.serverCpu[0]!.toFixed(0)} %) vs ${two.p99.toFixed(0)} ms on two ` +
        `(${two.serverCpu.map((c) => c.toFixed(0)).join(' + ')} %); p50 ${one.p50.toFixed(0)} vs ${two.p50.toFixed(0)} ms`,
    );
  }
}

if (PARTS.includes('cpu')) {
  const rate = CPU_SESSIONS / GUILD_SIZE;
  const [host] = await run(() => startHost(2, GUILD_SIZE, track), CPU_SESSIONS, GUILD_SIZE, [rate]);
  if (!(await reachable(4222)))
    notes.push('cpu: NATS not reachable on 127.0.0.1:4222 (bash .ci/services/nats.sh start): no comparison');
  else {
    const [nats] = await run(() => startNodes(2, 'nats', GUILD_SIZE, track), CPU_SESSIONS, GUILD_SIZE, [rate]);
    if (host && nats) {
      rows.push(
        comparison(
          'gateway.host.cpu-per-delivery',
          'µs',
          host.cpuPerDeliveryUs,
          nats.cpuPerDeliveryUs,
          'two nodes over NATS',
          true,
        ),
      );
      notes.push(
        `cpu: ${CPU_SESSIONS} sessions, ${rate} msg/s × ${GUILD_SIZE}; host ${host.cpuPerDeliveryUs.toFixed(1)} µs ` +
          `(p99 ${host.p99.toFixed(0)} ms) vs NATS ${nats.cpuPerDeliveryUs.toFixed(1)} µs (p99 ${nats.p99.toFixed(0)} ms) per delivery, all server processes`,
      );
    }
  }
}

if (PARTS.includes('hop')) {
  // What crossing between processes costs per message: guilds of two members, one on each process (the host's
  // workers reached on their own ports, session i on worker i mod 2, as nodes are), so every message is one local
  // delivery, one crossing (encode, link or broker, decode) and one remote delivery. WORKERS_HOP_ROUNDS > 1 runs host
  // and NATS alternately that many times and reports medians (this box's load drifts within a run).
  const rate = HOP_RATE;
  const hosts: StepFigures[] = [];
  const natses: StepFigures[] = [];
  for (let round = 0; round < HOP_ROUNDS && (await reachable(4222)); round++) {
    const [host] = await run(() => startHost(2, 2, track, true), HOP_SESSIONS, 2, [rate]);
    const [nats] = await run(
      () => startNodes(2, 'nats', 2, track),
      HOP_SESSIONS,
      2,
      [rate],
      () => daemonCpuSeconds('nats'),
    );
    if (host && nats) {
      hosts.push(host);
      natses.push(nats);
    }
  }
  if (hosts.length > 0) {
    // Two deliveries per message; a broker hop's whole cost includes the daemon's work, as the host's includes its
    // primary's (counted in cpuPerDeliveryUs).
    const perMessage = (f: StepFigures) => 2 * f.cpuPerDeliveryUs;
    const daemons = natses.map((f) => f.daemonCpuPerDeliveryUs);
    const withDaemon = daemons.every((d) => d !== null) ? natses.map((f, i) => perMessage(f) + 2 * daemons[i]!) : null;
    const ours = median(hosts.map(perMessage));
    rows.push(
      comparison(
        'gateway.host.hop.cpu-per-message',
        'µs',
        ours,
        median(natses.map(perMessage)),
        'two nodes over NATS',
        true,
      ),
    );
    if (withDaemon !== null) {
      rows.push(
        comparison(
          'gateway.host.hop.cpu-per-message.with-daemon',
          'µs',
          ours,
          median(withDaemon),
          'two nodes over NATS, nats-server counted',
          true,
        ),
      );
    }
    for (let i = 0; i < hosts.length; i++) {
      const host = hosts[i]!;
      const nats = natses[i]!;
      const daemon = daemons[i] ?? null;
      notes.push(
        `hop${hosts.length > 1 ? ` round ${i + 1}` : ''}: ${HOP_SESSIONS} sessions in guilds of 2 (one member per ` +
          `process), ${rate} msg/s; server CPU per message ${perMessage(host).toFixed(1)} µs over the host links vs ` +
          `${perMessage(nats).toFixed(1)} µs over NATS (+ ${daemon === null ? '?' : (2 * daemon).toFixed(1)} µs in ` +
          `nats-server; p99 ${host.p99.toFixed(0)} vs ${nats.p99.toFixed(0)} ms; receiving process wakes ` +
          `${host.wakeups[1]?.toFixed(0)} vs ${nats.wakeups[1]?.toFixed(0)} times/s)`,
      );
    }
    if (hosts.length > 1) {
      const ratios = hosts.map((h, i) => perMessage(natses[i]!) / perMessage(h));
      notes.push(`hop: NATS/host per round ${ratios.map((r) => r.toFixed(3)).join(', ')} (rows: medians of each side)`);
    }
  }
}

if (PARTS.includes('sessions')) {
  const steps = await run(() => startHost(PROCESSES, GUILD_SIZE, track), SESSIONS, GUILD_SIZE, RATES);
  // The highest rate that kept up (or the first one), judged against the issue's goal.
  const kept = steps.filter((s) => !s.degraded);
  const best = kept.at(-1) ?? steps[0];
  if (best) {
    rows.push(comparison('gateway.host.sessions.p99', 'ms', best.p99, GOAL_P99_MS, 'goal', true));
    rows.push(
      comparison('gateway.host.sessions.rss-per-session', 'KB', best.rssAbovePerSessionKB, GOAL_RSS_KB, 'goal', true),
    );
    notes.push(
      `sessions: ${best.sessions} identified on ${PROCESSES} workers, ${best.rate} msg/s × ${GUILD_SIZE} ` +
        `(${best.deliveredPerSec.toFixed(0)} deliveries/s); p99 ${best.p99.toFixed(0)} ms; RSS ${best.rssAbovePerSessionKB.toFixed(1)} ` +
        `KB/session above the empty host, ${best.rssPerSessionKB.toFixed(1)} KB counting every process's whole RSS`,
    );
    for (const s of steps.filter((x) => x.degraded)) notes.push(`sessions: ${s.rate} msg/s saturated (${s.degraded})`);
  }
}

report('gateway host: N worker processes, one port, host-local fan-out', rows, notes);
process.exit(0);
