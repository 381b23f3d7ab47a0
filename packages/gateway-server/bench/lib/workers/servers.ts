/**
 * The server side of a bench/workers.ts run, one interface over two shapes: a host (bench/lib/workers/hostPrimary.ts
 * forking N workers that share one port, joined by the host-local fan-out) and N separate nodes joined by a bus
 * broker (bench/lib/load/node.ts, as bench/load.ts runs them). The publisher is worker/node 0.
 */
import { fileURLToPath } from 'node:url';
import { type Child, spawnChild } from '../load/child.js';
import type { BrokerKind, NodeStats, PublishCommand, Published } from '../load/node.js';

/** What every server process reports (host workers add their link counters). */
export type ServerStats = NodeStats & {
  dropped?: number;
  relayed?: number;
  guildTopics?: number;
  /** Garbage collection since the previous stats call: total and longest pause, ms. */
  gcMs?: number;
  gcMaxMs?: number;
};

export interface Servers {
  readonly name: string;
  /** Where clients connect; session i goes to urls[i % urls.length]. */
  readonly urls: string[];
  /** One entry per gateway process. */
  stats(gc: boolean): Promise<ServerStats[]>;
  /** CPU µs and RSS of processes that are not gateways (the host's primary), or zero. */
  overhead(): Promise<{ cpu: number; rss: number }>;
  publish(command: Omit<PublishCommand, 'type'>): Promise<Published>;
  /** Resolves once the publisher knows of every other process's listeners for guilds 0 … guilds − 1. */
  linked(guilds: number): Promise<void>;
  stop(): Promise<void>;
}

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
/**
 * Extra Node flags for every server process (host primary and workers, bus nodes), e.g. `--cpu-prof --cpu-prof-dir=<dir>` or
 * `--perf-basic-prof` for `perf record` (a diagnostic knob: `--cpu-prof` cannot go through NODE_OPTIONS).
 */
const EXTRA_ARGS = (process.env.WORKERS_NODE_ARGS ?? '').split(' ').filter(Boolean);
/**
 * Node flags of every server process. `--no-memory-reducer`: V8's memory reducer runs a few mark-compacts in an isolate
 * that goes idle, about 8 s after start — the host's primary (idle by design: it does nothing per message when the host
 * has no fleet) and tsx's loader thread in every process. A one-off startup transient of up to ~100 ms of CPU, not a
 * cost per message, that lands in an 8 s window; off in both shapes (host processes and bus nodes) alike.
 */
const NODE_ARGS = ['--no-memory-reducer', ...EXTRA_ARGS];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A host of `workers` workers. `direct`: clients connect to each worker's own port (session i to worker i mod N, as
 * nodes are given sessions), instead of the shared port where node:cluster hands connections out in turn.
 */
export async function startHost(
  workers: number,
  guildSize: number,
  track: (child: Child) => void,
  direct = false,
): Promise<Servers> {
  const primary = await spawnChild(here('./hostPrimary.ts'), `host of ${workers}`, NODE_ARGS);
  track(primary);
  const started = await primary.request<{ url: string; workers: { resumePort?: number }[] }>(
    { type: 'start', workers, guildSize, direct, nodeArgs: NODE_ARGS },
    'listening',
  );
  const urls = direct ? started.workers.map((w) => `ws://127.0.0.1:${w.resumePort}`) : [started.url];
  const ask = <T>(
    slot: number,
    message: { type: string } & Record<string, unknown>,
    reply = message.type,
  ): Promise<T> => primary.request<T>({ type: 'toWorker', slot, message }, `${reply}:${slot}`);
  const slots = Array.from({ length: workers }, (_, i) => i);
  const stats = (gc: boolean) => Promise.all(slots.map((s) => ask<ServerStats>(s, { type: 'stats', gc })));
  return {
    name: `host of ${workers} worker${workers > 1 ? 's' : ''}`,
    urls,
    stats,
    async overhead() {
      const p = await primary.request<{ cpuUser: number; cpuSystem: number; rss: number }>(
        { type: 'primaryStats' },
        'primaryStats',
      );
      return { cpu: p.cpuUser + p.cpuSystem, rss: p.rss };
    },
    publish: (command) => ask<Published>(0, { type: 'publish', ...command }, 'published'),
    async linked(guilds) {
      const all = await stats(false);
      const expected = all.slice(1).reduce((sum, s) => sum + (s.guildTopics ?? 0), 0);
      await ask(0, { type: 'linked', guilds, expected });
    },
    stop: () => primary.stop(30_000),
  };
}

export async function startNodes(
  count: number,
  broker: BrokerKind,
  guildSize: number,
  track: (child: Child) => void,
): Promise<Servers> {
  const nodes = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      spawnChild(here('../load/node.ts'), `${broker} node ${i}`, ['--expose-gc', ...NODE_ARGS]),
    ),
  );
  for (const n of nodes) track(n);
  const prefix = `concord.workers.${process.pid}.`;
  const urls = await Promise.all(
    nodes.map((n) =>
      n.request<{ url: string }>({ type: 'start', broker, prefix, guildSize }, 'listening').then((r) => r.url),
    ),
  );
  return {
    name: `${count} nodes over ${broker}`,
    urls,
    stats: (gc) => Promise.all(nodes.map((n) => n.request<ServerStats>({ type: 'stats', gc }, 'stats'))),
    overhead: async () => ({ cpu: 0, rss: 0 }),
    publish: (command) => nodes[0]!.request<Published>({ type: 'publish', ...command }, 'published'),
    // Bus subscriptions are asked for at Identify; a flush's worth of time lets the last ones reach the daemon.
    linked: async () => {
      await sleep(500);
    },
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
}
