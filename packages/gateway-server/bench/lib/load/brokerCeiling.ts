/**
 * How many dispatches a broker daemon moves, without gateways in the way: one publishing node and `subscribers`
 * subscribing nodes (the real Redis / NATS broker adapters, all in this process), each subscribed to the same
 * `guilds` guild topics, and `messages` ~0.8 KB MESSAGE_CREATEs published as fast as the publisher can. Reports the
 * daemon's own CPU per message (from /proc), which with 1 and with several subscribers gives the cost of a PUBLISH
 * and of each subscriber it is copied to: the figures the fleet arithmetic in docs/SCALING.md needs.
 */
import { readFileSync } from 'node:fs';
import type { BrokerMessage } from '../../../src/index.js';
import type { BusBroker } from '../../../src/redis/index.js';
import { guildId, message, monotonicMs } from './fixtures.js';

export interface CeilingResult {
  broker: 'redis' | 'nats';
  subscribers: number;
  messages: number;
  /** Messages per second, from the first publish to the last receipt on every subscriber. */
  messagesPerSec: number;
  /** Daemon CPU per published message, µs (null when its pid file is not readable). */
  daemonUsPerMessage: number | null;
  /** This process's CPU per message (encode once, decode once per subscriber), µs. */
  nodeUsPerMessage: number;
  lost: number;
}

/** CPU seconds used so far by the Redis or NATS daemon started by .ci/services, or null when unknown. */
export function daemonCpuSeconds(broker: string): number | null {
  const pidFile =
    broker === 'redis'
      ? `${process.env.REDIS_HOME ?? '/tmp/concord-redis'}/redis.pid`
      : broker === 'nats'
        ? `${process.env.NATS_HOME ?? '/var/tmp/concord-nats'}/nats.pid`
        : null;
  if (!pidFile) return null;
  try {
    const pid = readFileSync(pidFile, 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

async function open(kind: 'redis' | 'nats', prefix: string): Promise<BusBroker> {
  if (kind === 'redis') {
    const { createRedisBroker } = await import('../../../src/redis/index.js');
    return createRedisBroker({ prefix });
  }
  const { createNatsBroker } = await import('../../../src/brokers/nats.js');
  return createNatsBroker({ prefix });
}

export async function measureBrokerCeiling(
  kind: 'redis' | 'nats',
  subscribers: number,
  messages: number,
  guilds = 200,
): Promise<CeilingResult> {
  const prefix = kind === 'redis' ? `concord:ceiling:${process.pid}:` : `concord.ceiling.${process.pid}.`;
  const publisher = await open(kind, prefix);
  const subs = await Promise.all(Array.from({ length: subscribers }, () => open(kind, prefix)));
  let received = 0;
  let lastAt = 0;
  let done: (() => void) | null = null;
  const expected = messages * subscribers;
  const listener = (): void => {
    received++;
    if (received === expected) {
      lastAt = monotonicMs();
      done?.();
    }
  };
  for (const sub of subs) for (let g = 0; g < guilds; g++) sub.subscribe(`guild:${guildId(g)}`, listener);
  await Promise.all(subs.map((s) => s.ready()));
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });

  const cpu0 = process.cpuUsage();
  const daemon0 = daemonCpuSeconds(kind);
  const start = monotonicMs();
  const BATCH = 500;
  for (let n = 0; n < messages; n += BATCH) {
    const pending: unknown[] = [];
    for (let i = n; i < Math.min(messages, n + BATCH); i++) {
      const g = i % guilds;
      const m: BrokerMessage = {
        event: 'MESSAGE_CREATE',
        data: message(i, g, monotonicMs()),
        intent: 1 << 9,
        target: { type: 'guild', guildId: guildId(g) },
        createdAt: Date.now(),
      };
      pending.push(publisher.publish(`guild:${guildId(g)}`, m));
    }
    // Bounded in flight: wait for Redis's replies (NATS publishes synchronously into its buffer) and let the
    // subscribers' sockets be read before the next batch.
    await Promise.all(pending);
    await new Promise((r) => setImmediate(r));
  }
  await Promise.race([finished, new Promise((r) => setTimeout(r, 20_000))]);
  const end = lastAt || monotonicMs();
  const daemon1 = daemonCpuSeconds(kind);
  const cpu = process.cpuUsage(cpu0);
  await Promise.all([publisher.close(), ...subs.map((s) => s.close())]);
  return {
    broker: kind,
    subscribers,
    messages,
    messagesPerSec: (Math.min(received, expected) / subscribers / (end - start)) * 1000,
    daemonUsPerMessage: daemon0 !== null && daemon1 !== null ? ((daemon1 - daemon0) * 1e6) / messages : null,
    nodeUsPerMessage: (cpu.user + cpu.system) / messages,
    lost: expected - received,
  };
}
