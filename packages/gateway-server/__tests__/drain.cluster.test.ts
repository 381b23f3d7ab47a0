// Rolling restart under traffic, with real processes: two gateway nodes (child processes) on the Redis broker and the
// Redis resume store, behind a loopback balancer that is also every session's resume_gateway_url. Node A is drained
// (its clients resume on B), restarted, then B is drained (everyone resumes on the new A) and restarted, while a
// publisher sends numbered messages to four channels. Every client must get every message exactly once, in order per
// channel, and never lose its session (no op 9, no second READY).
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { GatewayConnection } from '@concord/gateway-client';
import { type LoadBalancer, requireService, startLoadBalancer } from '@concord/test-services';
import { afterEach, describe, expect, it } from 'vitest';
import type { BusBroker } from '../src/brokers/BusBroker.js';
import { createRedisBroker } from '../src/brokers/createRedisBroker.js';
import { GatewayServer } from '../src/GatewayServer.js';
import type { DrainStats } from '../src/lifecycle/drain.js';
import { LB_CHANNELS, LB_GUILD, lbAuthenticate, lbDirectory } from './fixtures/lbNode.js';

const redisUp = await requireService({
  name: 'redis',
  host: '127.0.0.1',
  port: 6379,
  howToStart: 'bash .ci/services/redis.sh start',
});

const CLIENTS = 16;
const RATE_PER_TICK = 2; // messages every 10 ms: 200/s over the four channels

interface NodeProcess {
  child: ChildProcess;
  backend: string;
  drained: Promise<DrainStats>;
  exited: Promise<void>;
}

function startNode(prefix: string, resumeUrl: string): Promise<NodeProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./fixtures/lbNode.ts', import.meta.url)), prefix, resumeUrl],
    { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['pipe', 'pipe', 'inherit'] },
  );
  children.push(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let drainedResolve: (stats: DrainStats) => void = () => undefined;
  const drained = new Promise<DrainStats>((resolve, reject) => {
    drainedResolve = resolve;
    void exited.then(() => reject(new Error('node exited without a drain report')));
  });
  drained.catch(() => undefined);
  return new Promise((resolve, reject) => {
    void exited.then(() => reject(new Error('node exited before listening')));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let message: { url?: string; drained?: DrainStats };
      try {
        message = JSON.parse(line);
      } catch {
        return;
      }
      if (message.url) resolve({ child, backend: message.url.slice('ws://'.length), drained, exited });
      if (message.drained) drainedResolve(message.drained);
    });
  });
}

async function drainNode(node: NodeProcess): Promise<DrainStats> {
  node.child.stdin!.write('drain\n');
  const stats = await node.drained;
  await node.exited;
  return stats;
}

interface Tracked {
  connection: GatewayConnection;
  ready: number;
  resumed: number;
  invalidated: number;
  probed: boolean;
  /** Every `n` received, per channel, in arrival order. */
  seen: Map<string, number[]>;
}

function trackedClient(url: string, userId: number): Tracked {
  const connection = new GatewayConnection({
    token: String(userId),
    intents: 1 | (1 << 9),
    url,
    compression: null,
    backoff: { base: 50, max: 500 },
  });
  const t: Tracked = { connection, ready: 0, resumed: 0, invalidated: 0, probed: false, seen: new Map() };
  connection.on('ready', () => t.ready++);
  connection.on('resumed', () => t.resumed++);
  connection.on('error', () => undefined);
  connection.on('debug', (message) => {
    if (message.includes('op 9')) t.invalidated++;
  });
  connection.on('dispatch', (p) => {
    if (p.t === 'PROBE') t.probed = true;
    if (p.t !== 'NUMBERED') return;
    const { channel, n } = p.d as { channel: string; n: number };
    const list = t.seen.get(channel);
    if (list) list.push(n);
    else t.seen.set(channel, [n]);
  });
  return t;
}

async function until(done: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const children: ChildProcess[] = [];
const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(!redisUp)('rolling restart of two node processes (Redis broker + Redis resume store)', () => {
  it('moves every session twice under traffic: nothing lost, duplicated or reordered', async () => {
    const prefix = `drain${Date.now().toString(36)}${process.pid}:`;
    const lb: LoadBalancer = await startLoadBalancer([]);
    cleanups.push(() => lb.close());
    // The replacements start now too, as standbys outside the balancer (process start is the slow part): each joins
    // once its predecessor has drained and exited, so A's clients all resume on B, then B's on the new A.
    const [a, b, a2, b2] = await Promise.all(Array.from({ length: 4 }, () => startNode(prefix, lb.url)));
    lb.setBackends([a!.backend, b!.backend]);

    // The publisher: a gateway node of its own that holds no connections.
    const broker: BusBroker = await createRedisBroker({ redis: { host: '127.0.0.1', port: 6379 }, prefix });
    const publisher = new GatewayServer({ authenticate: lbAuthenticate, directory: lbDirectory(), broker });
    cleanups.push(
      () => broker.close(),
      () => publisher.close(),
    );

    const clients = Array.from({ length: CLIENTS }, (_, i) => trackedClient(lb.url, i + 1));
    cleanups.push(() => {
      for (const c of clients) c.connection.destroy();
    });
    await Promise.all(clients.map((c) => c.connection.connect()));
    // Both nodes got half of the clients, and their guild subscriptions are live once a probe reaches everyone.
    expect([...lb.routed.values()].sort()).toEqual([CLIENTS / 2, CLIENTS / 2]);
    const probe = setInterval(() => publisher.dispatchToGuild(LB_GUILD, 'PROBE', {}, { intent: null }), 20);
    await until(() => clients.every((c) => c.probed), 'the probe');
    clearInterval(probe);

    const next = new Map(LB_CHANNELS.map((id) => [id, 0]));
    let turn = 0;
    const timer = setInterval(() => {
      for (let i = 0; i < RATE_PER_TICK; i++) {
        const channel = LB_CHANNELS[turn++ % LB_CHANNELS.length]!;
        const n = next.get(channel)!;
        next.set(channel, n + 1);
        publisher.dispatchToChannel(LB_GUILD, channel, 'NUMBERED', { channel, n }, { intent: null });
      }
    }, 10);
    cleanups.push(() => clearInterval(timer));
    const sent = (): number => [...next.values()].reduce((x, y) => x + y, 0);
    const traffic = async (messages: number): Promise<void> => {
      const target = sent() + messages;
      await until(() => sent() >= target, 'traffic');
    };

    await traffic(100);
    const drainedA = await drainNode(a!);
    lb.setBackends([a2!.backend, b!.backend]);
    await until(() => clients.every((c) => c.connection.status === 'ready'), 'clients back after draining A');
    // Every session of A resumed on B (the balancer skipped A while it drained: it answered 503, then was gone).
    expect(lb.routed.get(b!.backend)).toBe(CLIENTS / 2 + drainedA.sessions);
    expect(lb.skipped).toBeGreaterThan(0);
    await traffic(100);
    const drainedB = await drainNode(b!);
    lb.setBackends([a2!.backend, b2!.backend]);
    await until(() => clients.every((c) => c.connection.status === 'ready'), 'clients back after draining B');
    expect(lb.routed.get(a2!.backend)).toBe(CLIENTS);
    await traffic(100);
    clearInterval(timer);

    const last = new Map([...next].map(([channel, n]) => [channel, n - 1]));
    await until(
      () => clients.every((c) => [...last].every(([channel, n]) => c.seen.get(channel)?.at(-1) === n)),
      'every client to catch up',
    );
    expect(drainedA).toMatchObject({ sessions: CLIENTS / 2, forced: 0, unsaved: 0 });
    expect(drainedB).toMatchObject({ sessions: CLIENTS, forced: 0, unsaved: 0 });
    expect(drainedA.waves).toBeGreaterThan(1);
    for (const c of clients) {
      expect({ ready: c.ready, invalidated: c.invalidated }).toEqual({ ready: 1, invalidated: 0 });
      expect(c.resumed).toBeGreaterThanOrEqual(1);
      for (const [channel, n] of last) {
        expect(c.seen.get(channel)).toEqual(Array.from({ length: n + 1 }, (_, i) => i));
      }
    }
    expect(clients.reduce((sum, c) => sum + c.resumed, 0)).toBe(drainedA.sessions + drainedB.sessions);
  }, 30_000);
});
