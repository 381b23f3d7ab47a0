import type { Redis } from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshChannelId, idAt, message } from '../src/conformance/fixtures.js';
import { runMessageStoreConformance } from '../src/conformance/index.js';
import { createInMemoryStore, type MessageStore } from '../src/index.js';
import { withRedisCache } from '../src/redis/index.js';
import { redisRun, redisUp } from './redisRun.js';

describe.skipIf(!redisUp)('redis cache', () => {
  const { run, client } = redisRun();

  // The cache must be transparent: the whole conformance suite, through it, against the memory store. A small window
  // (30) so that deep pages, bucket walks and `after` beyond the window pass through while the rest is served.
  runMessageStoreConformance('redis cache over memory', ({ bucketMs }) =>
    withRedisCache(createInMemoryStore({ bucketMs }), {
      redis: client(),
      recentPerChannel: 30,
      keyPrefix: `${run}:c:`,
    }),
  );

  describe('cache behaviour', () => {
    let redis: Redis;
    beforeAll(() => {
      redis = client();
    });
    const T0 = Date.UTC(2024, 0, 1) - 1_420_070_400_000;
    const ids = (n: number) => Array.from({ length: n }, (_, i) => idAt(T0 + i * 1000));
    const make = (store: MessageStore, opts: { recentPerChannel?: number; ttlMs?: number } = {}) =>
      withRedisCache(store, { redis, keyPrefix: `${run}:b:`, ...opts });

    /** Counts what reaches the underlying store. */
    function counting(inner: MessageStore) {
      const calls = { list: 0, get: 0 };
      const store: MessageStore = {
        ...inner,
        bucketMs: inner.bucketMs,
        list: (c, q) => {
          calls.list++;
          return inner.list(c, q);
        },
        get: (c, m) => {
          calls.get++;
          return inner.get(c, m);
        },
      };
      return { store, calls };
    }

    it('serves the newest page, before/after inside the window and get from Redis', async () => {
      const { store, calls } = counting(createInMemoryStore());
      const cache = make(store, { recentPerChannel: 50 });
      const ch = freshChannelId();
      const all = ids(120);
      for (const id of all) await cache.create(message(ch, id));
      const newest = [...all].reverse();

      expect((await cache.list(ch, { limit: 10 })).map((m) => m.id)).toEqual(newest.slice(0, 10));
      expect(cache.stats()).toMatchObject({ hits: 0, misses: 1, fills: 1 });
      const before = calls.list;
      expect((await cache.list(ch, { limit: 10 })).map((m) => m.id)).toEqual(newest.slice(0, 10));
      expect((await cache.list(ch, { before: newest[20]!, limit: 5 })).map((m) => m.id)).toEqual(newest.slice(21, 26));
      expect((await cache.list(ch, { after: newest[30]!, limit: 5 })).map((m) => m.id)).toEqual(newest.slice(25, 30));
      expect((await cache.get(ch, newest[3]!))?.id).toBe(newest[3]);
      expect(calls.list).toBe(before);
      expect(cache.stats().hits).toBe(4);

      // Outside the window (deep history, after below the floor) and around: passed through, same answers.
      expect((await cache.list(ch, { before: newest[60]!, limit: 5 })).map((m) => m.id)).toEqual(newest.slice(61, 66));
      expect((await cache.list(ch, { after: all[2]!, limit: 3 })).map((m) => m.id)).toEqual([all[5], all[4], all[3]]);
      expect((await cache.list(ch, { around: newest[10]!, limit: 3 })).map((m) => m.id)).toEqual(newest.slice(9, 12));
      expect(calls.list).toBe(before + 3);
    });

    it('keeps a bounded window as messages arrive (write-through, oldest trimmed)', async () => {
      const { store, calls } = counting(createInMemoryStore());
      const cache = make(store, { recentPerChannel: 20 });
      const ch = freshChannelId();
      const all = ids(60);
      for (const id of all.slice(0, 30)) await cache.create(message(ch, id));
      await cache.list(ch, { limit: 5 });
      for (const id of all.slice(30)) await cache.create(message(ch, id));
      const n = calls.list;
      expect((await cache.list(ch, { limit: 20 })).map((m) => m.id)).toEqual([...all].reverse().slice(0, 20));
      expect(calls.list).toBe(n);
      expect(await redis.zcard(`${run}:b:{${ch}}:ids`)).toBe(20);
      // One past the window: the store answers.
      expect((await cache.list(ch, { limit: 21 })).map((m) => m.id)).toEqual([...all].reverse().slice(0, 21));
      expect(calls.list).toBe(n + 1);
    });

    it('never shows stale content after edit, delete or bulk delete', async () => {
      const cache = make(createInMemoryStore());
      const ch = freshChannelId();
      const all = ids(10);
      for (const id of all) await cache.create(message(ch, id));
      await cache.list(ch);
      await cache.edit(ch, all[9]!, { content: 'edited once' });
      expect((await cache.list(ch, { limit: 1 }))[0]?.content).toBe('edited once');
      expect((await cache.get(ch, all[9]!))?.content).toBe('edited once');
      await cache.edit(ch, all[9]!, { content: 'edited twice' });
      expect((await cache.list(ch, { limit: 1 }))[0]?.content).toBe('edited twice');
      expect(await cache.delete(ch, all[8]!)).toBe(true);
      expect((await cache.list(ch)).map((m) => m.id)).not.toContain(all[8]);
      expect((await cache.get(ch, all[8]!))?.deleted).toBe(true);
      expect(await cache.bulkDelete(ch, [all[0]!, all[1]!, all[9]!])).toBe(3);
      expect((await cache.list(ch)).map((m) => m.id)).toEqual([all[7], all[6], all[5], all[4], all[3], all[2]]);
      expect((await cache.list(ch, { includeDeleted: true })).map((m) => m.deleted)).toEqual([
        true,
        true,
        false,
        false,
        false,
        false,
        false,
        false,
        true,
        true,
      ]);
      expect(cache.stats().hits).toBeGreaterThan(0);
    });

    it('keeps ids above 2^53 that differ only in their low bits exact and ordered', async () => {
      const cache = make(createInMemoryStore());
      const ch = freshChannelId();
      const base = (1n << 60n) + (1n << 22n) * 12345n;
      const big = [base + 1n, base + 2n, base + 3n, base + 4n].map(String);
      // As doubles these are all the same number.
      expect(new Set(big.map(Number)).size).toBe(1);
      for (const id of [big[2]!, big[0]!, big[3]!, big[1]!]) await cache.create(message(ch, id, `m${id}`));
      await cache.list(ch);
      const hit = await cache.list(ch);
      expect(hit.map((m) => m.id)).toEqual([...big].reverse());
      expect(hit.map((m) => m.content)).toEqual([...big].reverse().map((id) => `m${id}`));
      expect((await cache.list(ch, { before: big[2]!, limit: 1 })).map((m) => m.id)).toEqual([big[1]]);
      expect((await cache.list(ch, { after: big[1]!, limit: 1 })).map((m) => m.id)).toEqual([big[2]]);
      expect((await cache.get(ch, big[1]!))?.content).toBe(`m${big[1]}`);
      expect(cache.stats().hits).toBe(4);
    });

    /** A store whose next list() reads its answer, then waits for `release` before returning it. */
    function gated(inner: MessageStore) {
      let hold: { read: () => void; release: Promise<void> } | null = null;
      const store: MessageStore = {
        ...inner,
        bucketMs: inner.bucketMs,
        async list(c, q) {
          const rows = await inner.list(c, q);
          const h = hold;
          hold = null;
          if (h) {
            h.read();
            await h.release;
          }
          return rows;
        },
      };
      const arm = () => {
        let release!: () => void;
        let read!: () => void;
        const readDone = new Promise<void>((r) => {
          read = r;
        });
        hold = { read, release: new Promise<void>((r) => (release = r)) };
        return { readDone, release };
      };
      return { store, arm };
    }

    it('a fill that read the store before an edit cannot put the old content back', async () => {
      const { store, arm } = gated(createInMemoryStore());
      const cache = make(store);
      const ch = freshChannelId();
      const [a, b] = ids(2);
      await cache.create(message(ch, a!, 'old a'));
      await cache.create(message(ch, b!, 'old b'));
      const gate = arm();
      const reading = cache.list(ch); // miss → fill: reads the store (old content), then stalls
      await gate.readDone;
      await cache.edit(ch, b!, { content: 'new b' });
      gate.release();
      // The stalled read may answer with what it read (it began before the edit finished)…
      expect((await reading).map((m) => m.content)).toEqual(['old b', 'old a']);
      expect(cache.stats().fillsAborted).toBe(1);
      // …but it must not have cached it.
      expect((await cache.list(ch)).map((m) => m.content)).toEqual(['new b', 'old a']);
      expect((await cache.list(ch)).map((m) => m.content)).toEqual(['new b', 'old a']);
      expect(cache.stats().hits).toBeGreaterThanOrEqual(1);
    });

    it('a fill that read the store before a create or a delete cannot hide or resurrect a message', async () => {
      const { store, arm } = gated(createInMemoryStore());
      const cache = make(store);
      const ch = freshChannelId();
      const [a, b, c] = ids(3);
      await cache.create(message(ch, a!));
      await cache.create(message(ch, b!));
      let gate = arm();
      let reading = cache.list(ch);
      await gate.readDone;
      await cache.create(message(ch, c!));
      gate.release();
      await reading;
      expect((await cache.list(ch)).map((m) => m.id)).toEqual([c, b, a]);

      await cache.invalidate(ch);
      gate = arm();
      reading = cache.list(ch);
      await gate.readDone;
      await cache.delete(ch, b!);
      gate.release();
      await reading;
      expect((await cache.list(ch)).map((m) => m.id)).toEqual([c, a]);
      expect(cache.stats().fillsAborted).toBe(2);
    });

    it('concurrent reads and writes end with the store and the cache agreeing', async () => {
      const inner = createInMemoryStore();
      const cache = make(inner, { recentPerChannel: 40 });
      const ch = freshChannelId();
      const all = ids(80);
      await Promise.all(
        all.map(async (id, i) => {
          await cache.create(message(ch, id, `v0 ${i}`));
          await cache.list(ch, { limit: 20 });
          if (i % 3 === 0) await cache.edit(ch, id, { content: `v1 ${i}` });
          if (i % 7 === 0) await cache.delete(ch, id);
          await cache.list(ch, { limit: 30 });
        }),
      );
      for (const limit of [1, 20, 40]) {
        expect(await cache.list(ch, { limit })).toEqual(await inner.list(ch, { limit }));
        expect(await cache.list(ch, { limit, includeDeleted: true })).toEqual(
          await inner.list(ch, { limit, includeDeleted: true }),
        );
      }
    });

    it('expires a window after ttlMs and refills it', async () => {
      const cache = make(createInMemoryStore(), { ttlMs: 150 });
      const ch = freshChannelId();
      await cache.create(message(ch, ids(1)[0]!));
      await cache.list(ch);
      await cache.list(ch);
      await new Promise((r) => setTimeout(r, 400));
      await cache.list(ch);
      expect(cache.stats()).toMatchObject({ fills: 2, hits: 1 });
    });

    it('drops a window it cannot decode and answers from the store', async () => {
      const cache = make(createInMemoryStore());
      const ch = freshChannelId();
      const [a] = ids(1);
      await cache.create(message(ch, a!, 'real'));
      await cache.list(ch);
      await redis.hset(`${run}:b:{${ch}}:msgs`, a!.padStart(20, '0'), 'L{garbage');
      expect((await cache.list(ch)).map((m) => m.content)).toEqual(['real']);
      expect(await redis.exists(`${run}:b:{${ch}}:msgs`)).toBe(0);
      expect((await cache.list(ch)).map((m) => m.content)).toEqual(['real']);
      expect((await cache.get(ch, a!))?.content).toBe('real');
    });

    it('validates input before touching Redis', async () => {
      const cache = make(createInMemoryStore());
      await expect(cache.list('x')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(cache.list('1', { limit: 101 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(cache.get('1', '-1')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(cache.list('1', { before: '1', after: '2' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    });
  });
});
