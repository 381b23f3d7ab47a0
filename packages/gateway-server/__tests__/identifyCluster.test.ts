import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { requireService } from '@concord/test-services';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisIdentifyThrottle, createRedisSessionStartLimiter } from '../src/redis/index.js';
import { startServer, TestClient } from './helpers.js';

const redisUp = await requireService({
  name: 'redis',
  host: '127.0.0.1',
  port: 6379,
  howToStart: 'bash .ci/services/redis.sh start',
});

// Scheduling slack between two node processes on a busy 2-core machine (both stamp with the same host clock): the
// identifies of a bucket must be at least half the interval apart; uncoordinated nodes show a gap near 0.
const SLACK = 0.5;

let run = 0;
const uniquePrefix = () => `test:idc:${Date.now().toString(36)}:${process.pid}:${run++}:`;

interface Line {
  url?: string;
  identified?: { shard: [number, number]; at: number };
  limit?: { total: number; remaining: number; reset_after: number; max_concurrency: number };
  error?: string;
}

/** A gateway node in its own process (fixtures/identifyClusterNode.ts). */
class NodeProcess {
  readonly child: ChildProcess;
  readonly lines: Line[] = [];
  #seen = 0;
  #waiters: (() => void)[] = [];

  constructor(args: (string | number)[]) {
    this.child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(new URL('./fixtures/identifyClusterNode.ts', import.meta.url)),
        ...args.map(String),
      ],
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

  /** The next line (not returned before) that `pick` maps to a value. */
  async next<T>(pick: (line: Line) => T | undefined): Promise<T> {
    for (;;) {
      for (; this.#seen < this.lines.length; this.#seen++) {
        const line = this.lines[this.#seen]!;
        if (line.error) throw new Error(`node: ${line.error}`);
        const value = pick(line);
        if (value !== undefined) {
          this.#seen++;
          return value;
        }
      }
      if (!this.running) throw new Error('node process exited');
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Resolves once `check` holds, looked at again after each line (or once the process has exited). */
  async until(check: () => boolean): Promise<void> {
    while (!check() && this.running) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get identified(): { shard: [number, number]; at: number }[] {
    return this.lines.flatMap((l) => (l.identified ? [l.identified] : []));
  }

  async limit(userId: string) {
    this.child.stdin!.write(`limit ${userId}\n`);
    return this.next((l) => l.limit);
  }
}

const nodes: NodeProcess[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  for (const node of nodes.splice(0)) {
    if (!node.running) continue;
    const exited = new Promise((resolve) => node.child.once('exit', resolve));
    node.child.stdin!.write('close\n');
    const timer = setTimeout(() => node.child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
});

async function twoNodes(mode: 'redis' | 'memory', intervalMs: number, maxConcurrency: number, starts: number) {
  const prefix = uniquePrefix();
  const pair = [0, 1].map(() => new NodeProcess([mode, prefix, intervalMs, maxConcurrency, starts]));
  nodes.push(...pair);
  const urls = await Promise.all(pair.map((n) => n.next((l) => l.url)));
  return { pair, urls };
}

async function client(url: string): Promise<TestClient> {
  const c = new TestClient(url);
  clients.push(c);
  await c.opened;
  await c.next((p) => p.op === 10);
  return c;
}

/** Shards 0-3 identify on the first node and 4-7 on the second, all at once: each bucket is split over both. */
async function identifyEight(urls: string[]) {
  const cs = await Promise.all(Array.from({ length: 8 }, (_, i) => client(urls[i < 4 ? 0 : 1]!)));
  for (const [i, c] of cs.entries()) c.identify('1', { shard: [i, 8] });
  return cs;
}

/**
 * The Identifies both nodes report, once there are `count`: a node reports one right after its READY is written, so
 * the line may come after the client has read READY.
 */
async function identifiedBy(pair: NodeProcess[], count: number) {
  const all = () => pair.flatMap((n) => n.identified);
  await Promise.race(pair.map((n) => n.until(() => all().length >= count)));
  return all();
}

/** Smallest time between two identifies of one bucket (`shard_id % maxConcurrency`), over both nodes. */
function minGap(identified: { shard: [number, number]; at: number }[], maxConcurrency: number): number {
  let min = Number.POSITIVE_INFINITY;
  for (let bucket = 0; bucket < maxConcurrency; bucket++) {
    const times = identified
      .filter((i) => i.shard[0] % maxConcurrency === bucket)
      .map((i) => i.at)
      .sort((x, y) => x - y);
    for (let i = 1; i < times.length; i++) min = Math.min(min, times[i]! - times[i - 1]!);
  }
  return min;
}

describe.skipIf(!redisUp)('identify limits shared by two gateway nodes through Redis', () => {
  it('keeps one Identify per bucket per interval across both nodes, and one session_start_limit count', {
    timeout: 30_000,
  }, async () => {
    const intervalMs = 400;
    const { pair, urls } = await twoNodes('redis', intervalMs, 2, 10);
    const [a, b] = pair as [NodeProcess, NodeProcess];
    expect(await a.limit('1')).toEqual({ total: 10, remaining: 10, reset_after: 60_000, max_concurrency: 2 });
    const cs = await identifyEight(urls);
    await Promise.all(cs.map((c) => c.dispatch('READY', 10_000)));
    const identified = await identifiedBy(pair, 8);
    expect(identified.map((i) => i.shard[0]).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(minGap(identified, 2)).toBeGreaterThanOrEqual(intervalMs * SLACK);

    // 8 of 10 session starts are used, whichever node is asked.
    const [la, lb] = [await a.limit('1'), await b.limit('1')];
    expect(la.remaining).toBe(2);
    expect(lb.remaining).toBe(2);
    expect(la.reset_after).toBeGreaterThan(0);
    expect(la.reset_after).toBeLessThanOrEqual(60_000);
    const more = [await client(urls[0]!), await client(urls[1]!), await client(urls[1]!)];
    more[0]!.identify('1', { shard: [0, 8] });
    await more[0]!.dispatch('READY', 10_000);
    more[1]!.identify('1', { shard: [1, 8] });
    await more[1]!.dispatch('READY', 10_000);
    // The eleventh session start is refused on the node that saw only five of them.
    more[2]!.identify('1', { shard: [2, 8] });
    expect(await more[2]!.next((p) => p.op === 9, 10_000)).toMatchObject({ d: false });
    expect((await a.limit('1')).remaining).toBe(0);
  });
});

describe('the spacing check above can fail', () => {
  it('two nodes with their own in-memory buckets let one bucket identify twice within the interval', {
    timeout: 30_000,
  }, async () => {
    const intervalMs = 1000;
    const { pair, urls } = await twoNodes('memory', intervalMs, 2, 100);
    const cs = await identifyEight(urls);
    await Promise.all(cs.map((c) => c.dispatch('READY', 10_000)));
    const identified = await identifiedBy(pair, 8);
    expect(identified).toHaveLength(8);
    expect(minGap(identified, 2)).toBeLessThan(intervalMs * SLACK);
  });
});

describe.skipIf(!redisUp)('Redis identify throttle and session start limiter (one process)', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('serves waiters in arrival order and says whether each had to wait', async () => {
    const throttle = createRedisIdentifyThrottle({ redis, prefix: uniquePrefix(), intervalMs: 60 });
    const order: number[] = [];
    const waited = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        throttle.wait('1:0').then((w) => {
          order.push(i);
          return w;
        }),
      ),
    );
    expect(order).toEqual([0, 1, 2, 3]);
    expect(waited).toEqual([false, true, true, true]);
    await throttle.close();
  });

  it('gives up the place of a connection that went away, without waiting for its turn', async () => {
    const prefix = uniquePrefix();
    const throttle = createRedisIdentifyThrottle({ redis, prefix, intervalMs: 60_000 });
    await throttle.wait('1:0');
    let gone = false;
    const waiting = throttle.wait('1:0', () => gone);
    await expect.poll(() => redis.zcard(`{${prefix}identify:1:0}:queue`)).toBe(1);
    gone = true;
    // with a 60 s interval, resolving now proves the waiter left instead of taking its turn
    await expect(waiting).resolves.toBe(true);
    expect(await redis.zcard(`{${prefix}identify:1:0}:queue`)).toBe(0);
    await throttle.close();
  });

  it('answers session_start_limit through sessionStartLimit(); the synchronous getter refuses an async limiter', async () => {
    const server = await startServer({
      maxConcurrency: 4,
      sessionStartLimiter: createRedisSessionStartLimiter({
        redis,
        prefix: uniquePrefix(),
        total: 5,
        maxConcurrency: 4,
      }),
    });
    try {
      expect(() => server.getSessionStartLimit('1')).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
      const c = new TestClient(server.url);
      clients.push(c);
      await c.ready('1');
      expect(await server.sessionStartLimit('1')).toMatchObject({ total: 5, remaining: 4, max_concurrency: 4 });
    } finally {
      await server.close();
    }
  });

  it('counts session starts per user in a window that expires', async () => {
    const limiter = createRedisSessionStartLimiter({ redis, prefix: uniquePrefix(), total: 2, resetAfterMs: 300 });
    expect(await limiter.consume('1')).toBe(true);
    expect(await limiter.consume('1')).toBe(true);
    expect(await limiter.consume('1')).toBe(false);
    expect(await limiter.consume('2')).toBe(true);
    expect(await limiter.get('1')).toMatchObject({ total: 2, remaining: 0, max_concurrency: 1 });
    await expect.poll(async () => (await limiter.get('1')).remaining, { timeout: 3000 }).toBe(2);
    expect(await limiter.consume('1')).toBe(true);
  });
});
