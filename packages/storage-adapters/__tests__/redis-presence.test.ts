import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { runPresenceStoreConformance } from '../src/conformance/index.js';
import { createRedisPresenceStore } from '../src/redis/index.js';
import { redisRun, redisUp } from './redisRun.js';

describe.skipIf(!redisUp)('redis presence store', () => {
  const { run, clients, client } = redisRun();

  runPresenceStoreConformance('redis', () => createRedisPresenceStore({ redis: client(), keyPrefix: `${run}:p:` }));

  describe('specifics', () => {
    it('reports corrupt stored data as CORRUPT', async () => {
      const redis = client();
      const presence = createRedisPresenceStore({ redis, keyPrefix: `${run}:p3:` });
      await redis.hset(`${run}:p3:{g}`, 'u', '0|{bad');
      await expect(presence.get('g', 'u')).rejects.toMatchObject({ code: 'CORRUPT' });
    });

    it('rejects bad arguments with INVALID_ARGUMENT', async () => {
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
      const presence = createRedisPresenceStore({ redis: dead });
      await expect(presence.list('g')).rejects.toMatchObject({ code: 'UNAVAILABLE', name: 'StorageUnavailableError' });
    });
  });
});
