import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { requireService } from '@concord/test-services';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeGateway } from './helpers/FakeGateway.js';

const redisUp = await requireService({
  name: 'redis',
  host: '127.0.0.1',
  port: 6379,
  howToStart: 'bash .ci/services/redis.sh start',
});

// Loopback delivery between processes on a busy 2-core machine (two suites at once measured ~190 ms): arrivals at the
// gateway must be at least half the interval apart, grants themselves (Redis clock) the whole interval. A fleet
// without coordination shows a gap near 0, far below half.
const ARRIVAL_SLACK = 0.5;

interface Line {
  up?: boolean;
  grant?: { shardId: number; bucket: number; grantedAt: number };
  ready?: number[];
  error?: string;
}

/** A bot process running ShardManager over shards first..last (fixtures/fleetBot.ts). */
class BotProcess {
  readonly child: ChildProcess;
  readonly lines: Line[] = [];
  #waiters: (() => void)[] = [];

  constructor(args: (string | number)[]) {
    this.child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./fixtures/fleetBot.ts', import.meta.url)), ...args.map(String)],
      { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['pipe', 'pipe', 'inherit'] },
    );
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      this.lines.push(JSON.parse(line) as Line);
      for (const w of this.#waiters.splice(0)) w();
    });
    this.child.once('exit', () => {
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  async until<T>(pick: (line: Line) => T | undefined): Promise<T> {
    for (;;) {
      for (const line of this.lines) {
        if (line.error) throw new Error(`bot process: ${line.error}`);
        const value = pick(line);
        if (value !== undefined) return value;
      }
      if (!this.running) throw new Error('bot process exited');
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  send(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }
}

const children: BotProcess[] = [];
const gateways: FakeGateway[] = [];
afterEach(async () => {
  for (const bot of children.splice(0)) {
    if (bot.running) {
      bot.send('close');
      const exited = new Promise((resolve) => bot.child.once('exit', resolve));
      const timer = setTimeout(() => bot.child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
  }
  for (const g of gateways.splice(0)) await g.close();
});

/** A gateway that notes when each Identify arrives, per bucket `shard_id % maxConcurrency`. */
async function recordingGateway(maxConcurrency: number) {
  const arrivals = new Map<number, { shardId: number; at: number }[]>();
  const gateway = await FakeGateway.start({
    onPayload: (_conn, payload) => {
      if (payload.op === 2) {
        const shardId = (payload.d.shard as [number, number])[0];
        const bucket = shardId % maxConcurrency;
        arrivals.set(bucket, [...(arrivals.get(bucket) ?? []), { shardId, at: performance.now() }]);
      }
      return false;
    },
  });
  gateways.push(gateway);
  return { gateway, arrivals };
}

/** Smallest time between two consecutive identifies of any one bucket. */
function minGap(times: Iterable<number[]>): number {
  let min = Number.POSITIVE_INFINITY;
  for (const list of times) {
    const sorted = [...list].sort((x, y) => x - y);
    for (let i = 1; i < sorted.length; i++) min = Math.min(min, sorted[i]! - sorted[i - 1]!);
  }
  return min;
}

async function runFleet(
  mode: 'redis' | 'local',
  ranges: [number, number][],
  total: number,
  mc: number,
  interval: number,
) {
  const { gateway, arrivals } = await recordingGateway(mc);
  const key = `test:fleet:${Date.now().toString(36)}:${process.pid}`;
  const bots = ranges.map(
    ([first, last]) => new BotProcess([gateway.url, mode, key, first, last, total, mc, interval]),
  );
  children.push(...bots);
  await Promise.all(bots.map((bot) => bot.until((l) => l.up)));
  // Both processes start at once, as a fleet restarted together does: the worst case for the buckets.
  for (const bot of bots) bot.send('go');
  const ready = await Promise.all(bots.map((bot) => bot.until((l) => l.ready)));
  const grants = bots.flatMap((bot) => bot.lines.flatMap((l) => (l.grant ? [l.grant] : [])));
  return { gateway, arrivals, ready, grants };
}

describe.skipIf(!redisUp)('a fleet of bot processes sharing identify buckets through Redis', () => {
  it('two processes (shards 0-7 and 8-15 of 16, max_concurrency 2) never identify twice in a bucket within the interval', {
    timeout: 30_000,
  }, async () => {
    const interval = 500;
    const { gateway, arrivals, ready, grants } = await runFleet(
      'redis',
      [
        [0, 7],
        [8, 15],
      ],
      16,
      2,
      interval,
    );
    expect(ready.map((ids) => ids.sort((x, y) => x - y))).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7],
      [8, 9, 10, 11, 12, 13, 14, 15],
    ]);
    // Every shard identified exactly once and got its READY.
    const identified = [...arrivals.values()].flat().map((a) => a.shardId);
    expect(identified.sort((x, y) => x - y)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(gateway.sessions.size).toBe(16);
    // Both buckets were used by both processes (so the spacing below is the fleet's, not one process's).
    for (const bucket of [0, 1]) {
      const shards = arrivals.get(bucket)!.map((a) => a.shardId);
      expect(shards.some((s) => s < 8) && shards.some((s) => s >= 8)).toBe(true);
    }
    // Grants on Redis' clock are exactly spaced; arrivals at the gateway are, up to loopback delivery.
    const grantTimes = [0, 1].map((b) => grants.filter((g) => g.bucket === b).map((g) => g.grantedAt));
    expect(grants).toHaveLength(16);
    expect(minGap(grantTimes)).toBeGreaterThanOrEqual(interval);
    expect(minGap([...arrivals.values()].map((list) => list.map((a) => a.at)))).toBeGreaterThanOrEqual(
      interval * ARRIVAL_SLACK,
    );
  });
});

describe.skipIf(!redisUp)('a bot process killed while its shards wait in the Redis queue', () => {
  it('frees their places once the leases end: the next process gets all its shards ready', {
    timeout: 30_000,
  }, async () => {
    const { gateway } = await recordingGateway(1);
    const key = `test:fleet:kill:${Date.now().toString(36)}:${process.pid}`;
    const args = (first: number, last: number) => [gateway.url, 'redis', key, first, last, 16, 1, 400, 600];
    const doomed = new BotProcess(args(0, 7));
    const next = new BotProcess(args(8, 15));
    children.push(doomed, next);
    await Promise.all([doomed.until((l) => l.up), next.until((l) => l.up)]);
    doomed.send('go');
    await doomed.until((l) => l.grant);
    const redis = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 });
    try {
      // All its shards took places in the one bucket (8 tickets); those not yet let through die with it.
      const tickets = async () => Number((await redis.hget(`{${key}:0}:state`, 'seq')) ?? 0);
      await expect.poll(tickets, { timeout: 10_000 }).toBe(8);
      const waitingAtKill = await redis.zcard(`{${key}:0}:queue`);
      doomed.child.kill('SIGKILL');
      expect(waitingAtKill).toBeGreaterThan(0);
      next.send('go');
      const ready = await next.until((l) => l.ready);
      expect(ready.sort((x, y) => x - y)).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
      // The dead places were dropped, not served (only a live waiter can take its turn).
      const identified = gateway.connections.flatMap((c) =>
        c.received.filter((p) => p.op === 2).map((p) => p.d.shard[0]),
      );
      expect(identified.filter((id: number) => id < 8).length).toBeLessThan(8);
      expect(await redis.zcard(`{${key}:0}:queue`)).toBe(0);
    } finally {
      await redis.quit();
    }
  });
});

describe('the check above can fail', () => {
  it('catches two processes with only in-process throttles identifying in one bucket at once', {
    timeout: 30_000,
  }, async () => {
    const interval = 1000;
    const { arrivals } = await runFleet(
      'local',
      [
        [0, 3],
        [4, 7],
      ],
      8,
      2,
      interval,
    );
    expect([...arrivals.values()].flat()).toHaveLength(8);
    // Each process spaces its own shards, but shards 0 and 4 (bucket 0) go out together from the two processes.
    expect(minGap([...arrivals.values()].map((list) => list.map((a) => a.at)))).toBeLessThan(interval * ARRIVAL_SLACK);
  });
});
