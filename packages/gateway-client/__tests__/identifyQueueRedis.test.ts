import { IDENTIFY_QUEUE_SCRIPT } from '@concord/redis-kit';
import { requireService } from '@concord/test-services';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisIdentifyQueue, type IdentifyGrant } from '../src/redis.js';

const redisUp = await requireService({
  name: 'redis',
  host: '127.0.0.1',
  port: 6379,
  howToStart: 'bash .ci/services/redis.sh start',
});

let run = 0;
const uniqueKey = () => `test:iq:${Date.now().toString(36)}:${process.pid}:${run++}`;

describe.skipIf(!redisUp)('createRedisIdentifyQueue (Redis)', () => {
  // Two connections stand for two processes of one bot.
  let a: Redis;
  let b: Redis;
  beforeAll(() => {
    a = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 });
    b = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await Promise.all([a.quit(), b.quit()]);
  });

  const queued = (key: string, bucket: number) => a.zcard(`{${key}:${bucket}}:queue`);
  /** Places ever taken in the bucket (its ticket counter): only grows, unlike the queue. */
  const tickets = async (key: string, bucket: number) => Number((await a.hget(`{${key}:${bucket}}:state`, 'seq')) ?? 0);
  const members = (key: string, bucket: number) => a.zrange(`{${key}:${bucket}}:queue`, 0, -1);

  it('lets one bucket through in arrival order across connections, grants at least intervalMs apart', async () => {
    const key = uniqueKey();
    const intervalMs = 80;
    const qa = createRedisIdentifyQueue({ redis: a, key, maxConcurrency: 1, intervalMs });
    const qb = createRedisIdentifyQueue({ redis: b, key, maxConcurrency: 1, intervalMs });
    const first = await qa.wait(0); // the bucket is now busy: everyone after queues up
    const order: number[] = [];
    const waits: Promise<IdentifyGrant>[] = [];
    for (let i = 1; i <= 6; i++) {
      const wait = (i % 2 ? qb : qa).wait(i);
      waits.push(
        wait.then((g) => {
          order.push(g.shardId);
          return g;
        }),
      );
      // the next waiter only starts once this one holds its place
      await expect.poll(() => tickets(key, 0)).toBe(i + 1); // +1: shard 0's
    }
    const grants = [first, ...(await Promise.all(waits))];
    expect(order).toEqual([1, 2, 3, 4, 5, 6]);
    for (let i = 1; i < grants.length; i++) {
      expect(grants[i]!.grantedAt - grants[i - 1]!.grantedAt).toBeGreaterThanOrEqual(intervalMs);
    }
    expect(await queued(key, 0)).toBe(0);
  });

  it('keeps buckets apart: shard 1 does not queue behind bucket 0', async () => {
    const key = uniqueKey();
    const q = createRedisIdentifyQueue({ redis: a, key, maxConcurrency: 2, intervalMs: 300 });
    const order: number[] = [];
    await Promise.all([0, 2, 1].map((id) => q.wait(id).then(() => order.push(id))));
    // shard 2 shares bucket 0 with shard 0 and waits an interval; shard 1 is alone in bucket 1
    expect(order.indexOf(1)).toBeLessThan(order.indexOf(2));
  });

  it('drops a reservation whose process stopped renewing it; the waiter behind it moves up', async () => {
    const key = uniqueKey();
    const intervalMs = 50;
    const leaseMs = 300;
    const q = createRedisIdentifyQueue({ redis: a, key, maxConcurrency: 1, intervalMs, leaseMs });
    await q.wait(0);
    const keys = [`{${key}:0}:queue`, `{${key}:0}:leases`, `{${key}:0}:state`];
    // A "process" takes its place once and dies: it never calls again.
    const [state, , enqueuedAt] = (await b.eval(
      IDENTIFY_QUEUE_SCRIPT,
      3,
      ...keys,
      'dead',
      intervalMs,
      leaseMs,
      'take',
    )) as [number, number, number];
    expect(state).toBe(0);
    const grant = await q.wait(1);
    // It respected the dead reservation while it could still have been alive, then went ahead.
    expect(grant.grantedAt).toBeGreaterThanOrEqual(enqueuedAt + leaseMs);
    expect(await a.zscore(keys[0]!, 'dead')).toBeNull();
    expect(await a.zscore(keys[1]!, 'dead')).toBeNull();
  });

  it('an aborted wait gives its place up at once; close() rejects what is pending', async () => {
    const key = uniqueKey();
    const q = createRedisIdentifyQueue({ redis: a, key, maxConcurrency: 1, intervalMs: 500, leaseMs: 60_000 });
    await q.wait(0);
    const controller = new AbortController();
    const aborted = q.wait(1, controller.signal);
    await expect.poll(() => tickets(key, 0)).toBe(2); // shard 0 took the first
    const behind = q.wait(2);
    await expect.poll(() => tickets(key, 0)).toBe(3);
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'DESTROYED' });
    expect((await members(key, 0)).filter((m) => m.includes(':1:'))).toEqual([]);
    // with a 60 s lease, getting through proves the aborted place was freed rather than left to expire
    expect((await behind).shardId).toBe(2);
    const pending = q.wait(3);
    await expect.poll(() => tickets(key, 0)).toBe(4);
    await q.close();
    await expect(pending).rejects.toMatchObject({ code: 'DESTROYED' });
    expect(await queued(key, 0)).toBe(0);
  });

  it('rejects bad options with INVALID_OPTIONS', () => {
    expect(() => createRedisIdentifyQueue({ redis: a, maxConcurrency: 1, leaseMs: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
  });
});
