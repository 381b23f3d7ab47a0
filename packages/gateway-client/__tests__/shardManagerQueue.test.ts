import { afterEach, describe, expect, it } from 'vitest';
import { type IdentifyLimits, type IdentifyQueue, InMemoryIdentifyQueue, ShardManager } from '../src/index.js';
import { FakeGateway } from './helpers/FakeGateway.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function gateway(): Promise<FakeGateway> {
  const g = await FakeGateway.start();
  cleanups.push(() => g.close());
  return g;
}

describe('ShardManager shard ranges and identify queues', () => {
  it('runs an inclusive shard range of the total', async () => {
    const g = await gateway();
    const manager = new ShardManager({
      token: 't',
      intents: 1,
      url: g.url,
      shardCount: 8,
      shardIds: { first: 5, last: 7 },
      maxConcurrency: 3,
    });
    cleanups.push(() => manager.destroy());
    await manager.connect();
    expect([...manager.shards.keys()]).toEqual([5, 6, 7]);
    const shards = await Promise.all(g.connections.map(async (c) => (await c.next(2)).d.shard));
    expect(shards.sort()).toEqual([
      [5, 8],
      [6, 8],
      [7, 8],
    ]);
  });

  it.each([[{ first: 3, last: 2 }], [{ first: 0, last: 8 }], [{ first: 0.5, last: 2 }], [[1, 1]]])(
    'rejects the shard ids %j of 8 with INVALID_OPTIONS',
    async (shardIds) => {
      const manager = new ShardManager({ token: 't', intents: 1, url: 'ws://127.0.0.1:1', shardCount: 8, shardIds });
      await expect(manager.connect()).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    },
  );

  it('awaits the given queue before each Identify; a factory gets the resolved limits', async () => {
    const g = await gateway();
    const asked: number[] = [];
    let limits: IdentifyLimits | undefined;
    const manager = new ShardManager({
      token: 't',
      intents: 1,
      url: g.url,
      shardCount: 4,
      shardIds: [1, 3],
      maxConcurrency: 2,
      identifyIntervalMs: 10,
      identifyQueue: (l) => {
        limits = l;
        const inner = new InMemoryIdentifyQueue(l.maxConcurrency, l.intervalMs);
        return {
          wait: (id, signal) => {
            asked.push(id);
            return inner.wait(id, signal);
          },
        } satisfies IdentifyQueue;
      },
    });
    cleanups.push(() => manager.destroy());
    await manager.connect();
    expect(limits).toEqual({ maxConcurrency: 2, intervalMs: 10 });
    expect(asked.sort()).toEqual([1, 3]);
    expect(manager.identifyQueue).not.toBeNull();
  });

  it('destroy() makes shards waiting for their turn give it up, without an error', async () => {
    const g = await gateway();
    const signals: AbortSignal[] = [];
    const queue: IdentifyQueue = {
      wait: (_id, signal) =>
        new Promise((_resolve, reject) => {
          signals.push(signal!);
          signal!.addEventListener('abort', () => reject(new Error('aborted')));
        }),
    };
    const manager = new ShardManager({ token: 't', intents: 1, url: g.url, shardCount: 2, identifyQueue: queue });
    const errors: Error[] = [];
    manager.on('error', (e) => errors.push(e));
    const connecting = manager.connect().catch(() => undefined);
    await expect.poll(() => signals.length).toBe(2);
    await manager.destroy();
    await connecting;
    expect(signals.every((s) => s.aborted)).toBe(true);
    expect(errors).toEqual([]);
    expect(g.connections.flatMap((c) => c.received.filter((p) => p.op === 2))).toEqual([]);
  });

  it('an in-process throttle turn given up rejects at once with DESTROYED', async () => {
    const throttle = new InMemoryIdentifyQueue(1, 60_000);
    await throttle.wait(0);
    const controller = new AbortController();
    const aborted = throttle.wait(1, controller.signal);
    controller.abort();
    // the slot is a minute away: rejecting within the test timeout means the wait did not sit it out
    await expect(aborted).rejects.toMatchObject({ code: 'DESTROYED' });
  });
});
