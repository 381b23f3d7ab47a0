import fc from 'fast-check';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { runPresenceStoreConformance, runSessionStoreConformance } from '../src/conformance/index.js';
import { decodeReplayEntry, encodeReplayEntry } from '../src/redis/createRedisSessionStore.js';
import { createRedisPresenceStore, createRedisSessionStore } from '../src/redis/index.js';
import { redisRun, redisUp } from './redisRun.js';

describe('replay entry codec', () => {
  it('round-trips any seq and frame', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        fc.oneof(fc.string({ unit: 'grapheme' }), fc.uint8Array({ maxLength: 512 })),
        (seq, frame) => {
          const decoded = decodeReplayEntry(encodeReplayEntry(seq, frame));
          expect(decoded?.seq).toBe(seq);
          if (typeof frame === 'string') expect(decoded?.frame).toBe(frame);
          else expect(Array.from(decoded?.frame as Uint8Array)).toEqual(Array.from(frame));
        },
      ),
    );
  });

  it('gives null, never a throw, for random and truncated bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const out = decodeReplayEntry(Buffer.from(bytes));
        if (out !== null) expect(Number.isSafeInteger(out.seq)).toBe(true);
      }),
    );
    fc.assert(
      fc.property(fc.nat({ max: 1000 }), fc.string(), fc.nat({ max: 8 }), (seq, frame, cut) => {
        expect(decodeReplayEntry(encodeReplayEntry(seq, frame).subarray(0, cut))).toBeNull();
      }),
    );
  });
});

describe.skipIf(!redisUp)('redis session and presence stores', () => {
  const { run, clients, client } = redisRun();

  runSessionStoreConformance('redis', () => createRedisSessionStore({ redis: client(), keyPrefix: `${run}:s:` }));
  runPresenceStoreConformance('redis', () => createRedisPresenceStore({ redis: client(), keyPrefix: `${run}:p:` }));

  describe('specifics', () => {
    it('bounds the replay log in Redis itself and gives it the ttl', async () => {
      const redis = client();
      const store = createRedisSessionStore({ redis, keyPrefix: `${run}:s2:` });
      await store.save({ sessionId: 'a', userId: '1', shard: null, intents: 0, seq: 0, updatedAt: 0 }, 60_000);
      for (let seq = 1; seq <= 50; seq++) await store.appendReplay('a', seq, `f${seq}`, 8, 30_000);
      expect(await redis.llen(`${run}:s2:{a}:replay`)).toBe(8);
      const ttl = await redis.pttl(`${run}:s2:{a}:replay`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(30_000);
      expect((await store.replayFrom('a', 42))?.map((f) => f.seq)).toEqual([43, 44, 45, 46, 47, 48, 49, 50]);
      expect(await store.replayFrom('a', 41)).toBeNull();
    });

    it('keeps binary frames byte-exact (NUL, invalid UTF-8) and empty frames', async () => {
      const store = createRedisSessionStore({ redis: client(), keyPrefix: `${run}:s3:` });
      await store.save({ sessionId: 'b', userId: '1', shard: [1, 4], intents: 1, seq: 0, updatedAt: 0 }, 60_000);
      const bytes = new Uint8Array([0, 0xff, 0xc3, 0x28, 0, 10]);
      await store.appendReplay('b', 1, bytes, 10, 60_000);
      await store.appendReplay('b', 2, '', 10, 60_000);
      await store.appendReplay('b', 3, new Uint8Array(0), 10, 60_000);
      const frames = await store.replayFrom('b', 0);
      expect(Array.from(frames![0]!.frame as Uint8Array)).toEqual(Array.from(bytes));
      expect(frames![1]!.frame).toBe('');
      expect(frames![2]!.frame).toBeInstanceOf(Uint8Array);
      expect((frames![2]!.frame as Uint8Array).length).toBe(0);
    });

    it('reports corrupt stored data as CORRUPT, never as a partial replay', async () => {
      const redis = client();
      const store = createRedisSessionStore({ redis, keyPrefix: `${run}:s5:` });
      await store.save({ sessionId: 'd', userId: '1', shard: null, intents: 0, seq: 0, updatedAt: 0 }, 60_000);
      await store.appendReplay('d', 1, 'ok', 10, 60_000);
      await redis.rpush(`${run}:s5:{d}:replay`, Buffer.from([1, 2, 3]));
      await expect(store.replayFrom('d', 0)).rejects.toMatchObject({ code: 'CORRUPT' });
      await redis.set(`${run}:s5:{e}:record`, '{not json');
      await expect(store.get('e')).rejects.toMatchObject({ code: 'CORRUPT' });
      const presence = createRedisPresenceStore({ redis, keyPrefix: `${run}:p3:` });
      await redis.hset(`${run}:p3:{g}`, 'u', '0|{bad');
      await expect(presence.get('g', 'u')).rejects.toMatchObject({ code: 'CORRUPT' });
    });

    it('rejects bad arguments with INVALID_ARGUMENT', async () => {
      const store = createRedisSessionStore({ redis: client(), keyPrefix: `${run}:s4:` });
      await expect(store.appendReplay('c', -1, 'x', 10, 1000)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(store.appendReplay('c', 1, 'x', 0, 1000)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(store.replayFrom('', 0)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      const presence = createRedisPresenceStore({ redis: client(), keyPrefix: `${run}:p2:` });
      await expect(presence.set('g', 'u', { a: 1 }, 0)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    });

    it('fails fast with UNAVAILABLE when its client cannot reach Redis', async () => {
      const dead = new Redis({
        host: '127.0.0.1',
        port: 1,
        maxRetriesPerRequest: 0,
        retryStrategy: () => 50,
        lazyConnect: true,
      });
      dead.on('error', () => {});
      clients.push(dead);
      await dead.connect().catch(() => {});
      const sessions = createRedisSessionStore({ redis: dead });
      const presence = createRedisPresenceStore({ redis: dead });
      await expect(sessions.get('x')).rejects.toMatchObject({ code: 'UNAVAILABLE', name: 'StorageUnavailableError' });
      await expect(presence.list('g')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    });
  });
});
