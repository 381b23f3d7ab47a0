import { requireService } from '@concord/test-services';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerMessage } from '../src/Broker.js';
import { createRedisCluster, type RedisCluster } from '../src/redis/index.js';
import { encodeSessionRecord } from '../src/resume/sessionRecordCodec.js';
import { sessionRecord } from './fixtures/sessionRecord.js';

const redisUp = await requireService({
  name: 'redis',
  host: '127.0.0.1',
  port: 6379,
  howToStart: 'bash .ci/services/redis.sh start',
});

const REDIS = { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 };
let run = 0;
const uniqueToken = (): string => `rcluster${Date.now().toString(36)}${process.pid}n${run++}`;

const message = (n: number): BrokerMessage => ({
  event: 'MESSAGE_CREATE',
  data: { n },
  intent: null,
  target: { type: 'guild', guildId: '10' },
  createdAt: 1,
});

/** Every key in Redis whose name contains `token`. */
async function keysWith(redis: Redis, token: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `*${token}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys.sort();
}

describe.skipIf(!redisUp)('createRedisCluster', () => {
  let redis: Redis;
  const clusters: RedisCluster[] = [];

  beforeAll(() => {
    redis = new Redis(REDIS);
  });
  afterAll(async () => {
    await redis.quit();
  });
  afterEach(async () => {
    for (const cluster of clusters.splice(0)) await cluster.close();
  });

  async function open(prefix: string, shared?: Redis): Promise<RedisCluster> {
    const cluster = await createRedisCluster({
      redis: shared ?? REDIS,
      prefix,
      identifyThrottle: { intervalMs: 60_000 },
      sessionStartLimiter: { total: 5 },
    });
    clusters.push(cluster);
    return cluster;
  }

  /** Makes each of the four parts write to Redis, then returns every key the run left. */
  async function useAllFour(cluster: RedisCluster, token: string): Promise<string[]> {
    await cluster.broker.publish('guild:10', message(1));
    await cluster.resumeStore.commit(
      [
        {
          sessionId: 's1',
          userId: '1',
          gen: 1,
          create: true,
          refresh: true,
          record: encodeSessionRecord(
            sessionRecord({ sessionId: 's1', user: { id: '1', username: 'one' }, intents: 513, guilds: ['10'] }),
          ),
          cursors: [['guild:10', '0-0']],
          entries: [],
        },
      ],
      60_000,
      10,
    );
    expect(await cluster.identifyThrottle.wait('1:0')).toBe(false);
    expect(await cluster.sessionStartLimiter.consume('1')).toBe(true);
    return keysWith(redis, token);
  }

  it('puts the keys of all four parts under its one prefix', async () => {
    const token = uniqueToken();
    const prefix = `${token}:`;
    const cluster = await open(prefix);
    expect(cluster.prefix).toBe(prefix);
    const keys = await useAllFour(cluster, token);

    // One key (or hash-tagged key family) per part, each named by the prefix.
    expect(keys.filter((k) => k.startsWith(`${prefix}h:`))).toEqual([`${prefix}h:guild:10`]);
    expect(keys.filter((k) => k.startsWith(`${prefix}s:`))).toEqual([`${prefix}s:{s1}:r`]);
    expect(keys.filter((k) => k.startsWith(`{${prefix}identify:`)).length).toBeGreaterThan(0);
    expect(keys.filter((k) => k.startsWith(`${prefix}session-starts:`))).toEqual([`${prefix}session-starts:1`]);
    // Nothing anywhere else (the identify throttle hash-tags its keys: `{<prefix>identify:<bucket>}:…`).
    for (const key of keys) expect(key.startsWith(prefix) || key.startsWith(`{${prefix}`)).toBe(true);

    // The resume store reads the histories the broker writes: they agree on where those live.
    const tail = await cluster.resumeStore.readAfter('guild:10', '0-0', 10);
    expect(tail?.map((m) => m.data)).toEqual([{ n: 1 }]);
    await redis.del(...keys);
  });

  it('shares a connected client among the parts and leaves it open', async () => {
    const token = uniqueToken();
    const prefix = `${token}:`;
    const shared = new Redis(REDIS);
    try {
      const cluster = await open(prefix, shared);
      const keys = await useAllFour(cluster, token);
      for (const key of keys) expect(key.startsWith(prefix) || key.startsWith(`{${prefix}`)).toBe(true);
      await cluster.close();
      expect(shared.status).toBe('ready');
      expect(await shared.ping()).toBe('PONG');
      await redis.del(...keys);
    } finally {
      shared.disconnect();
    }
  });

  it('keeps two prefixes apart: another cluster sees none of the first one state', async () => {
    const a = await open(`${uniqueToken()}:`);
    const b = await open(`${uniqueToken()}:`);
    for (let i = 0; i < 5; i++) expect(await a.sessionStartLimiter.consume('1')).toBe(true);
    expect(await a.sessionStartLimiter.consume('1')).toBe(false);
    expect((await b.sessionStartLimiter.get('1')).remaining).toBe(5);
    await a.broker.publish('guild:10', message(1));
    expect(await b.resumeStore.readAfter('guild:10', '0-0', 10)).toEqual([]);
    await redis.del(`${a.prefix}session-starts:1`, `${a.prefix}h:guild:10`);
  });
});
